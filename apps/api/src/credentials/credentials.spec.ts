import { generateTokenSecret, presentedStatus, SESSION_PREFIX, type TokenDto } from '@tessera/domain';
import fc from 'fast-check';
import { createTestApp, type TestApp } from '../testing/test-app';
import { aToken } from '../tokens/testing/a-token';
import { as, WITHOUT_FAILURE_LIMIT } from '../tokens/testing/api-client';
import { Credentials } from './credentials.service';

const T0 = new Date('2031-06-01T00:00:00.000Z');

/** Credentials on a real app and database: the one place secrets and token ids become credentials. */
describe('Credentials', () => {
  let t: TestApp;
  let credentials: Credentials;
  let admin: ReturnType<typeof as>;
  /** Reads of the database made by Credentials (its private `read`, `byTokenId` aside). */
  let reads: jest.SpyInstance;

  beforeAll(async () => {
    t = await createTestApp({ now: () => T0, env: WITHOUT_FAILURE_LIMIT });
    credentials = t.app.get(Credentials);
    admin = as(t, t.admin.token);
    reads = jest.spyOn(credentials as unknown as { read(kind: string, hash: string): Promise<unknown> }, 'read');
  });

  afterAll(async () => {
    reads?.mockRestore();
    await t?.close();
  });

  beforeEach(() => {
    t.setNow(T0);
    reads.mockClear();
  });

  const create = async (body = aToken().build()) => (await admin.post('/tokens', body).expect(201)).body as { token: TokenDto; secret: string };

  it('resolves a token secret: the compiled credential, its hint and its organization allowlist', async () => {
    const { token, secret } = await create(aToken().named('ci').withScopes('tokens:read').build());
    const presented = await credentials.bySecret(secret);
    expect(presented).toMatchObject({ wellFormed: true, hint: `${secret.slice(0, 8)}…${secret.slice(-4)}` });
    expect(presented.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(presented.credential).toMatchObject({ kind: 'token', id: token.id, name: 'ci', organizationId: t.admin.organizationId });
    expect(presented.credential?.permissionList).toEqual(['tokens:read']);
    expect(presented.credential?.subject.graceUntil).toBeNull();
    expect(presented.orgAllowlist.size).toBe(0);
  });

  it('answers synchronously once the credential and its allowlist are cached, after one read', async () => {
    const { token, secret } = await create(aToken().named('sync').build());
    const first = credentials.present(secret);
    expect(first).toBeInstanceOf(Promise);
    expect((await first).credential?.id).toBe(token.id);
    const again = credentials.present(secret);
    expect(again).not.toBeInstanceOf(Promise);
    expect((again as Awaited<typeof first>).credential?.id).toBe(token.id);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(credentials.present('not a secret')).toMatchObject({ wellFormed: false, credential: null });
  });

  it('resolves a login session to its user', async () => {
    const presented = await credentials.bySecret(t.admin.token);
    expect(presented.credential).toMatchObject({ kind: 'session', organizationId: t.admin.organizationId });
  });

  it('never looks up a string that is not a well-formed secret (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 80 }), async (s) => {
        const presented = await credentials.bySecret(s);
        expect(presented).toMatchObject({ wellFormed: false, hash: null, hint: null, credential: null });
      }),
      { numRuns: 300 },
    );
    expect(reads).not.toHaveBeenCalled();
  });

  it('turns any one-character change of a real secret into malformed or unknown, never a credential (property)', async () => {
    const { secret } = await create();
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: secret.length - 1 }), fc.string({ minLength: 1, maxLength: 1 }), async (at, ch) => {
        fc.pre(secret[at] !== ch);
        const forged = secret.slice(0, at) + ch + secret.slice(at + 1);
        expect((await credentials.bySecret(forged)).credential).toBeNull();
      }),
      { numRuns: 200 },
    );
  });

  it('answers an unknown well-formed secret with no credential (and remembers that briefly)', async () => {
    const unknown = generateTokenSecret();
    expect(await credentials.bySecret(unknown)).toMatchObject({ wellFormed: true, credential: null });
    expect(await credentials.bySecret(generateTokenSecret(SESSION_PREFIX))).toMatchObject({ wellFormed: true, credential: null });
    reads.mockClear();
    await credentials.bySecret(unknown);
    expect(reads).not.toHaveBeenCalled();
  });

  it("marks a previous secret with the end of its grace; whether it still counts is the domain's presentedStatus", async () => {
    const { token, secret } = await create();
    await admin.post(`/tokens/${token.id}/regenerate`, { graceSeconds: 30 }).expect(200);
    const previous = (await credentials.bySecret(secret)).credential;
    if (!previous) throw new Error('the previous secret should still resolve');
    expect(previous.subject.graceUntil).toEqual(new Date(T0.getTime() + 30_000));
    expect(presentedStatus(previous.subject, T0)).toBe('active');
    expect(presentedStatus(previous.subject, new Date(T0.getTime() + 30_000))).toBe('unknown');
  });

  it('finds a token by id only in its own organization, as for its current secret', async () => {
    const { token, secret } = await create(aToken().withScopes('audit:read').build());
    await admin.post(`/tokens/${token.id}/regenerate`, { graceSeconds: 30 }).expect(200);
    const byId = await credentials.byTokenId(t.admin.organizationId, token.id);
    expect(byId).toMatchObject({ kind: 'token', id: token.id, permissionList: ['audit:read'] });
    expect(byId?.subject.graceUntil).toBeNull();
    expect((await credentials.bySecret(secret)).credential?.id).toBe(token.id);

    const other = await t.createOrg('Elsewhere');
    expect(await credentials.byTokenId(other.organizationId, token.id)).toBeNull();
    expect(await credentials.byTokenId(t.admin.organizationId, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('sees a change as soon as it is committed (revoke, allowlist)', async () => {
    const { token, secret } = await create();
    expect((await credentials.bySecret(secret)).credential?.subject.revokedAt).toBeNull();
    await admin.post(`/tokens/${token.id}/revoke`).expect(200);
    expect((await credentials.bySecret(secret)).credential?.subject.revokedAt).not.toBeNull();

    await admin.put('/security/ip-allowlist', { entries: [{ cidr: '127.0.0.0/8' }] }).expect(200);
    try {
      expect((await credentials.bySecret(t.admin.token)).orgAllowlist.size).toBe(1);
      expect((await credentials.orgAllowlist(t.admin.organizationId)).matches('127.0.0.1')).toBe(true);
    } finally {
      await admin.put('/security/ip-allowlist', { entries: [] }).expect(200);
    }
    expect((await credentials.bySecret(t.admin.token)).orgAllowlist.size).toBe(0);
  });
});
