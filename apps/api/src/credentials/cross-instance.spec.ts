import type { CreatedTokenDto, RoleDto } from '@tessera/domain';
import { createInstanceGroup, eventually, type Instance, type InstanceGroup } from './testing/instances';

/**
 * Two api instances on one database, each with its verification cache on: a change made on one
 * must reach the other (through NOTIFY/LISTEN), and must hold on the instance that made it from
 * the very next request. Cross-instance effects are polled for (up to 2 s), never timed.
 */
describe('verification cache across two api instances on one database', () => {
  let group: InstanceGroup;
  let a: Instance;
  let b: Instance;
  let admin: string;

  // Two whole apps, each loading every module afresh: on a busy machine that alone can take a minute.
  beforeAll(async () => {
    group = await createInstanceGroup(2);
    [a, b] = group.instances as [Instance, Instance];
    admin = (await a.login(group.admin.email, group.admin.password)).token;
  }, 180_000);

  afterAll(async () => {
    await group?.close();
  });

  async function createToken(on: Instance, body: Record<string, unknown> = {}): Promise<CreatedTokenDto> {
    const res = await on
      .as(admin)
      .post('/tokens', { name: `t ${Math.random().toString(36).slice(2)}`, scopes: ['tokens:read'], ...body })
      .expect(201);
    return res.body as CreatedTokenDto;
  }

  const statusOf = async (on: Instance, secret: string, path = '/auth/me'): Promise<number> => (await on.as(secret).get(path)).status;

  /** Uses the secret on the instance until it answers 200 twice (so it sits in that instance's cache). */
  async function warm(on: Instance, secret: string, path = '/auth/me'): Promise<void> {
    expect(await statusOf(on, secret, path)).toBe(200);
    expect(await statusOf(on, secret, path)).toBe(200);
  }

  it('caches on both instances (the premise of the tests below)', async () => {
    const { secret } = await createToken(a);
    await warm(a, secret);
    await warm(b, secret);
    for (const instance of [a, b]) {
      const cache = instance.credentials.credentialCache;
      expect(cache?.isTrusted).toBe(true);
      expect(cache?.size).toBeGreaterThan(0);
    }
  });

  it('reads the database once, not once per request, for a burst of requests with a new secret', async () => {
    const { secret } = await createToken(a);
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the creation's NOTIFY echo arrive
    const reads = jest.spyOn(a.credentials as unknown as { read(kind: string, hash: string): Promise<unknown> }, 'read');
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, () => statusOf(a, secret)));
      expect(answers.every((s) => s === 200)).toBe(true);
      expect(reads.mock.calls.length).toBeLessThan(5);
    } finally {
      reads.mockRestore();
    }
  });

  it('a revoke on A is seen on B, and holds on A from the next request', async () => {
    const { token, secret } = await createToken(a);
    await warm(a, secret);
    await warm(b, secret);

    await a.as(admin).post(`/tokens/${token.id}/revoke`).expect(200);

    expect(await statusOf(a, secret)).toBe(401);
    await eventually('B refuses the revoked token', async () => (await statusOf(b, secret)) === 401);
  });

  it('a deactivation on B is seen on A, and an activation back again', async () => {
    const { token, secret } = await createToken(a);
    await warm(a, secret);
    await warm(b, secret);

    await b.as(admin).post(`/tokens/${token.id}/deactivate`).expect(200);
    expect(await statusOf(b, secret)).toBe(401);
    await eventually('A refuses the deactivated token', async () => (await statusOf(a, secret)) === 401);

    await b.as(admin).post(`/tokens/${token.id}/activate`).expect(200);
    expect(await statusOf(b, secret)).toBe(200);
    await eventually('A accepts the activated token again', async () => (await statusOf(a, secret)) === 200);
  });

  it('an edit of a token on A (its rules) is seen on B', async () => {
    const { token, secret } = await createToken(a);
    await warm(b, secret, '/tokens');

    await a.as(admin).patch(`/tokens/${token.id}`, { allowedIps: ['10.0.0.0/8'] }).expect(200);
    expect(await statusOf(a, secret, '/tokens')).toBe(403);
    await eventually('B applies the new IP rule', async () => (await statusOf(b, secret, '/tokens')) === 403);
  });

  it('a role edit on A reaches every token of that role on B', async () => {
    const role = (await a.as(admin).post('/roles', { name: `readers ${Date.now()}`, permissions: ['tokens:read'] }).expect(201))
      .body as RoleDto;
    const first = await createToken(a, { roleId: role.id, scopes: [] });
    const second = await createToken(a, { roleId: role.id, scopes: [] });
    for (const { secret } of [first, second]) {
      await warm(a, secret, '/tokens');
      await warm(b, secret, '/tokens');
    }

    await a.as(admin).patch(`/roles/${role.id}`, { permissions: ['roles:read'] }).expect(200);

    for (const { secret } of [first, second]) {
      expect(await statusOf(a, secret, '/tokens')).toBe(403);
      await eventually('B applies the edited role', async () => (await statusOf(b, secret, '/tokens')) === 403);
      expect(await statusOf(b, secret, '/roles')).toBe(200);
    }
  });

  it("an organization's IP allowlist change on A is seen on B", async () => {
    // A throw-away organization: once its allowlist excludes 127.0.0.1 nobody there can undo it.
    const org = await a
      .as(admin)
      .post('/organizations', { name: `Allowlisted ${Date.now()}`, adminEmail: `a${Date.now()}@allow.test`, adminPassword: 'allowlist-password-1' })
      .expect(201);
    const orgAdmin = (await b.login((org.body as { admin: { email: string } }).admin.email, 'allowlist-password-1')).token;
    const created = await b.as(orgAdmin).post('/tokens', { name: 'svc', scopes: ['tokens:read'] }).expect(201);
    const secret = (created.body as CreatedTokenDto).secret;
    await warm(b, secret, '/tokens');
    await warm(a, secret, '/tokens');

    await a.as(orgAdmin).put('/security/ip-allowlist', { entries: [{ cidr: '10.0.0.0/8', note: 'office' }], force: true }).expect(200);

    expect(await statusOf(a, secret, '/tokens')).toBe(403);
    await eventually('B applies the allowlist to the token', async () => (await statusOf(b, secret, '/tokens')) === 403);
    await eventually('B applies the allowlist to sessions', async () => (await statusOf(b, orgAdmin)) === 403);
  });

  it('a session ended on A is refused on B; a deactivated user is refused everywhere', async () => {
    const email = `user${Date.now()}@cache.test`;
    const roles = (await a.as(admin).get('/roles').expect(200)).body as { items: RoleDto[] } | RoleDto[];
    const list = Array.isArray(roles) ? roles : roles.items;
    const readOnly = list.find((r) => r.permissions.includes('*:read'));
    const user = await a
      .as(admin)
      .post('/users', { email, displayName: 'Cache user', password: 'cache-user-password', roleId: readOnly?.id })
      .expect(201);
    const first = await b.login(email, 'cache-user-password');
    const second = await b.login(email, 'cache-user-password');
    await warm(b, second.token);
    await warm(a, second.token);

    await a.as(first.token).delete(`/auth/sessions/${second.sessionId}`).expect(204);
    expect(await statusOf(a, second.token)).toBe(401);
    await eventually('B refuses the ended session', async () => (await statusOf(b, second.token)) === 401);

    await warm(b, first.token);
    await a.as(admin).patch(`/users/${(user.body as { id: string }).id}`, { active: false }).expect(200);
    expect(await statusOf(a, first.token)).toBe(401);
    await eventually('B refuses the deactivated user', async () => (await statusOf(b, first.token)) === 401);
  });

  it('no request sent after a revoke answered on A is let through by A', async () => {
    const { token, secret } = await createToken(a);
    await warm(a, secret);
    const answers: { sentAt: number; status: number }[] = [];
    let revokedAt = Number.POSITIVE_INFINITY;
    let stopAt = Number.POSITIVE_INFINITY;
    const hammer = async (): Promise<void> => {
      while (performance.now() < stopAt) {
        const sentAt = performance.now();
        const res = await a.as(secret).get('/auth/me');
        answers.push({ sentAt, status: res.status });
      }
    };
    const load = [hammer(), hammer(), hammer(), hammer()];
    await new Promise((resolve) => setTimeout(resolve, 100));
    await a.as(admin).post(`/tokens/${token.id}/revoke`).expect(200);
    revokedAt = performance.now();
    stopAt = revokedAt + 300;
    await Promise.all(load);

    const before = answers.filter((x) => x.sentAt < revokedAt);
    const after = answers.filter((x) => x.sentAt > revokedAt);
    expect(before.some((x) => x.status === 200)).toBe(true);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((x) => x.status !== 401)).toEqual([]);
  });

  it('after losing its change feed an instance stops trusting its cache until it listens again', async () => {
    const { token, secret } = await createToken(a);
    await warm(b, secret);

    // Cut B's LISTEN connection, then change the token behind every instance's back (no NOTIFY):
    // only a cache that was emptied on the loss can see it.
    await group.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'tessera-listener' AND datname = current_database()`);
    await group.query('UPDATE tokens SET active = false WHERE id = $1', [token.id]);

    await eventually('B reads the database again', async () => (await statusOf(b, secret)) === 401);
    await eventually('B listens and caches again', async () => b.credentials.credentialCache?.isTrusted === true);
  });
});
