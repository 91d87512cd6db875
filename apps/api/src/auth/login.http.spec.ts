import type { Response } from 'supertest';
import { auditRows, setOrgAllowlist } from '../testing/fixtures';
import { createTestApp, type TestApp, type TestOrg } from '../testing/test-app';
import { PasswordHasher } from './password-hasher';
import { Credentials } from '../credentials/credentials.service';

const LOGIN = '/api/v1/auth/login';
/** Headers that differ between any two answers whatever they say. */
const PER_RESPONSE_HEADERS = new Set(['date']);

/** Everything a client sees of an answer, except the time it was sent. */
function wire(res: Response): { status: number; headers: Record<string, unknown>; body: string } {
  const headers = Object.fromEntries(Object.entries(res.headers).filter(([name]) => !PER_RESPONSE_HEADERS.has(name)));
  return { status: res.status, headers, body: res.text };
}

describe('login from outside the organization IP allowlist (no password oracle)', () => {
  let t: TestApp;
  let org: TestOrg;
  beforeAll(async () => {
    t = await createTestApp({ env: { TRUST_PROXY: 'loopback', AUTH_FAILURE_LIMIT: '4', AUTH_FAILURE_WINDOW_SECONDS: '600' } });
    org = await t.createOrg();
    await setOrgAllowlist(t, org.organizationId, ['10.0.0.0/8']);
  });
  afterAll(async () => {
    await t?.close();
  });

  const login = (ip: string, email: string, password: string) =>
    t.http.post(LOGIN).set('X-Forwarded-For', ip).set('User-Agent', 'oracle-test').send({ email, password });

  it('answers a right and a wrong password byte for byte alike: the same 401 as a wrong password', async () => {
    const right = await login('203.0.113.10', org.email, org.password);
    const wrong = await login('203.0.113.10', org.email, 'not-the-password-1');
    const unknown = await login('203.0.113.10', 'nobody@org.test', 'not-the-password-1');
    expect(right.status).toBe(401);
    expect(wire(right)).toEqual(wire(wrong));
    expect(wire(unknown)).toEqual(wire(wrong));
    expect(right.body).toMatchObject({ status: 401, detail: 'Invalid email or password' });
    // from inside the allowlist the same password logs in
    expect((await login('10.1.2.3', org.email, org.password)).status).toBe(200);
  });

  it('counts a right password from outside the allowlist as a failure of that address', async () => {
    const ip = '203.0.113.20';
    for (let i = 0; i < 4; i++) expect((await login(ip, org.email, org.password)).status).toBe(401);
    const limited = await login(ip, org.email, org.password);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
  });

  it('spends the same argon2 work on a right password outside the allowlist, a wrong one and an unknown email', async () => {
    const hasher = t.app.get(PasswordHasher);
    const credentials = t.app.get(Credentials);
    const verify = jest.spyOn(hasher, 'verify');
    const allowlist = jest.spyOn(credentials, 'orgAllowlist');
    try {
      const work = async (email: string, password: string) => {
        verify.mockClear();
        allowlist.mockClear();
        expect((await login('203.0.113.30', email, password)).status).toBe(401);
        return { argon2: verify.mock.calls.length, allowlistLookups: allowlist.mock.calls.length };
      };
      const right = await work(org.email, org.password);
      expect(right).toEqual({ argon2: 1, allowlistLookups: 1 });
      expect(await work(org.email, 'not-the-password-2')).toEqual(right);
      expect((await work('ghost@org.test', 'not-the-password-2')).argon2).toBe(1);
    } finally {
      verify.mockRestore();
      allowlist.mockRestore();
    }
  });

  it('keeps the precise reason in the audit row only, never the password', async () => {
    await login('203.0.113.40', org.email, org.password);
    await login('203.0.113.40', org.email, 'not-the-password-3');
    await t.flush();
    const rows = await auditRows(t, "action = 'auth.login' AND outcome = 'failure' AND ip = '203.0.113.40'");
    expect(rows.map((r) => r.reason)).toEqual(['org_ip_not_allowed', 'wrong_password']);
    expect(JSON.stringify(rows)).not.toContain(org.password);
    expect(JSON.stringify(rows)).not.toContain('not-the-password-3');
  });
});
