import fc from 'fast-check';
import { auditRows, setOrgAllowlist } from '../testing/fixtures';
import { bearer, createTestApp, type TestApp } from '../testing/test-app';

const LOGIN = '/api/v1/auth/login';
const ME = '/api/v1/auth/me';

describe('auth sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { AUTH_FAILURE_LIMIT: '100000' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('logs the first-start admin in with a 3-hour tss_ session and describes the caller with me', async () => {
    const before = Date.now();
    const res = await t.http.post(LOGIN).send({ email: t.admin.email.toUpperCase(), password: t.admin.password });
    expect(res.status).toBe(200);
    expect(res.body.token).toMatch(/^tss_[0-9A-Za-z]{46}$/);
    const ttl = Date.parse(res.body.expiresAt) - before;
    expect(ttl).toBeGreaterThan(3 * 3_600_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(3 * 3_600_000 + 1_000);
    expect(res.body.user).toMatchObject({ email: t.admin.email, roleName: 'All permissions', active: true });
    expect(res.body.user.lastLoginAt).not.toBeNull();
    expect(res.headers['cache-control']).toBe('no-store');

    const me = await t.http.get(ME).set(bearer(res.body.token));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ kind: 'user', name: 'Administrator', organization: { name: 'Default' }, permissions: ['*:*'] });
    expect(me.body.sessionId).toEqual(expect.any(String));
  });

  it('stores only the SHA-256 of the session secret', async () => {
    const token = await t.login(t.admin.email, t.admin.password);
    const rows = (await t.db.query('SELECT secret_hash FROM sessions')) as { secret_hash: string }[];
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.secret_hash))).toBe(true);
  });

  it('answers the same 401 for an unknown email and a wrong password, and audits both without the password', async () => {
    const unknown = await t.http.post(LOGIN).send({ email: 'nobody@tessera.test', password: 'whatever-password' });
    const wrong = await t.http.post(LOGIN).send({ email: t.admin.email, password: 'wrong-password-1' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    await t.flush();
    const rows = await auditRows(t, "action = 'auth.login' AND outcome = 'failure'");
    expect(rows.map((r) => r.reason)).toEqual(expect.arrayContaining(['unknown_email', 'wrong_password']));
    expect(JSON.stringify(rows)).not.toContain('wrong-password-1');
  });

  it('names every bad field and rejects unknown fields (400 problem+json)', async () => {
    const res = await t.http.post(LOGIN).send({ email: 'not-an-email', extra: 1 });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['email', 'password']));
    expect(JSON.stringify(res.body.errors)).toContain('extra');
  });

  it('answers 413 problem+json to a body over 64 KiB', async () => {
    const res = await t.http
      .post(LOGIN)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(70 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 413 });
  });

  it('answers 400 problem+json to invalid JSON', async () => {
    const res = await t.http.post(LOGIN).set('Content-Type', 'application/json').send('{"email": ');
    expect(res.status).toBe(400);
    expect(res.body.status).toBe(400);
  });

  it('never answers a 5xx to random login bodies (property)', async () => {
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record({ email: fc.oneof(fc.string(), fc.emailAddress(), fc.jsonValue()), password: fc.oneof(fc.string(), fc.jsonValue()) }, { requiredKeys: [] }),
      fc.dictionary(fc.string(), fc.jsonValue()),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await t.http.post(LOGIN).set('Content-Type', 'application/json').send(JSON.stringify(b));
        expect(res.status).toBeLessThan(500);
        expect([200, 400, 401]).toContain(res.status);
      }),
      { numRuns: 60 },
    );
  });

  it('logs out: the session token stops working at once', async () => {
    const token = await t.login(t.admin.email, t.admin.password);
    expect((await t.http.get(ME).set(bearer(token))).status).toBe(200);
    expect((await t.http.post('/api/v1/auth/logout').set(bearer(token))).status).toBe(204);
    const after = await t.http.get(ME).set(bearer(token));
    expect(after.status).toBe(401);
    expect(after.headers['www-authenticate']).toContain('invalid_token');
  });

  it('lists my recent sessions, marks the current one, and ends another', async () => {
    const mine = await t.login(t.admin.email, t.admin.password);
    const other = await t.login(t.admin.email, t.admin.password);
    const list = await t.http.get('/api/v1/auth/sessions').set(bearer(mine)).set('User-Agent', 'jest');
    expect(list.status).toBe(200);
    const items = list.body.items as { id: string; current: boolean; endedAt: string | null; ip: string }[];
    expect(items.filter((s) => s.current)).toHaveLength(1);
    expect(items[0]?.ip).toBe('127.0.0.1');
    const otherMe = await t.http.get(ME).set(bearer(other));
    const otherId = otherMe.body.sessionId as string;

    expect((await t.http.delete(`/api/v1/auth/sessions/${otherId}`).set(bearer(mine))).status).toBe(204);
    expect((await t.http.get(ME).set(bearer(other))).status).toBe(401);
    expect((await t.http.get(ME).set(bearer(mine))).status).toBe(200);
    const ended = (await t.http.get('/api/v1/auth/sessions').set(bearer(mine))).body.items as { id: string; endedAt: string | null }[];
    expect(ended.find((s) => s.id === otherId)?.endedAt).not.toBeNull();
    const audit = await auditRows(t, "action = 'session.end' AND target_id = $1", [otherId]);
    expect(audit).toHaveLength(1);
  });

  it("answers 404 for another user's session, and for a malformed id", async () => {
    const org = await t.createOrg();
    const theirs = (await t.http.get(ME).set(bearer(org.token))).body.sessionId as string;
    expect((await t.http.delete(`/api/v1/auth/sessions/${theirs}`).set(bearer(t.admin.token))).status).toBe(404);
    expect((await t.http.get(ME).set(bearer(org.token))).status).toBe(200);
    expect((await t.http.delete('/api/v1/auth/sessions/not-a-uuid').set(bearer(t.admin.token))).status).toBe(404);
  });

  it('refuses login from an address outside the organization allowlist (as a wrong password; see login.http.spec)', async () => {
    await setOrgAllowlist(t, t.admin.organizationId, ['10.0.0.0/8']);
    try {
      const res = await t.http.post(LOGIN).send({ email: t.admin.email, password: t.admin.password });
      expect(res.status).toBe(401);
    } finally {
      await setOrgAllowlist(t, t.admin.organizationId, []);
    }
  });

  it('refuses a deactivated user, and their sessions stop working', async () => {
    const org = await t.createOrg();
    await t.db.query('UPDATE users SET active = false WHERE lower(email) = $1', [org.email]);
    expect((await t.http.get(ME).set(bearer(org.token))).status).toBe(401);
    expect((await t.http.post(LOGIN).send({ email: org.email, password: org.password })).status).toBe(401);
  });

  it('expires sessions after 3 hours (injected clock)', async () => {
    const token = await t.login(t.admin.email, t.admin.password);
    t.setNow(new Date(Date.now() + 3 * 3_600_000 + 1_000));
    try {
      expect((await t.http.get(ME).set(bearer(token))).status).toBe(401);
    } finally {
      t.setNow(null);
    }
  });

  it('serves the OpenAPI document', async () => {
    const res = await t.http.get('/api/docs/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/auth/me', '/api/v1/audit']));
  });

  it('answers 404 problem+json for unknown /api routes', async () => {
    const res = await t.http.get('/api/v1/nope').set(bearer(t.admin.token));
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
