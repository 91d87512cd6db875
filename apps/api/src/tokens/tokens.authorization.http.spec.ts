import type { RoleDto, TokenDto } from '@tessera/domain';
import { createTestApp, type TestApp } from '../testing/test-app';
import { aToken } from './testing/a-token';
import { as, auditOf, WITHOUT_FAILURE_LIMIT } from './testing/api-client';

const T0 = new Date('2031-03-01T12:00:00.000Z');
const plus = (ms: number): Date => new Date(T0.getTime() + ms);
const HOUR = 3_600_000;
type Client = ReturnType<typeof as>;

/**
 * Attacks on "no caller acts on, or produces, a token wider than itself", as a restricted token or
 * user would try them. Each of them succeeded before the rule was wired into the routes.
 */
describe('tokens: no caller acts on or produces a token wider than itself', () => {
  let t: TestApp;
  let admin: ReturnType<typeof as>;

  beforeAll(async () => {
    t = await createTestApp({ now: () => T0, env: WITHOUT_FAILURE_LIMIT });
    admin = as(t, t.admin.token);
  });

  afterAll(async () => {
    await t?.close();
  });

  beforeEach(() => t.setNow(T0));

  const create = async (body = aToken().build()): Promise<{ token: TokenDto; secret: string }> =>
    (await admin.post('/tokens', body).expect(201)).body as { token: TokenDto; secret: string };
  const me = (secret: string) => as(t, secret).get('/auth/me');
  const row = async (id: string) =>
    ((await t.db.query(`SELECT secret_hash, version, active, revoked_at FROM tokens WHERE id = $1`, [id])) as Record<string, unknown>[])[0];
  const lastRefusal = async (actorId: string) =>
    (
      (await t.db.query(
        `SELECT action, target_id, outcome, reason, details FROM audit_events
          WHERE actor_id = $1 AND outcome = 'failure' ORDER BY seq DESC LIMIT 1`,
        [actorId],
      )) as { action: string; target_id: string | null; outcome: string; reason: string; details: { detail: string } }[]
    )[0];

  describe('a token holding only tokens:read and tokens:write', () => {
    let writer: { token: TokenDto; secret: string };
    let root: { token: TokenDto; secret: string };

    beforeAll(async () => {
      t.setNow(T0);
      writer = await create(aToken().named('writer').withScopes('tokens:read', 'tokens:write').build());
      root = await create(aToken().named('root').withScopes('*:*').build());
    });

    it('cannot regenerate a *:* token: 403 naming *:*, no secret, the old secret still the only one, a failure audit row', async () => {
      const before = await row(root.token.id);
      const res = await as(t, writer.secret).post(`/tokens/${root.token.id}/regenerate`, { graceSeconds: 3600 });
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.detail).toBe("The token is wider than the caller: permissions *:* beyond the caller's permissions");
      expect(res.body.secret).toBeUndefined();
      expect(JSON.stringify(res.body)).not.toMatch(/tsr_[0-9A-Za-z]{46}/);
      expect(await row(root.token.id)).toEqual(before);
      await me(root.secret).expect(200);
      expect(await lastRefusal(writer.token.id)).toMatchObject({
        action: 'token.regenerate',
        target_id: root.token.id,
        outcome: 'failure',
        reason: 'wider_than_caller',
      });
      expect((await auditOf(t, root.token.id)).filter((r) => r.outcome === 'success').map((r) => r.action)).toEqual(['token.create']);
    });

    it.each([
      ['deactivate', (c: Client, id: string) => c.post(`/tokens/${id}/deactivate`)],
      ['revoke', (c: Client, id: string) => c.post(`/tokens/${id}/revoke`)],
      ['delete', (c: Client, id: string) => c.delete(`/tokens/${id}`)],
      ['update', (c: Client, id: string) => c.patch(`/tokens/${id}`, { description: 'mine now' })],
    ] as const)('cannot %s a *:* token (403, nothing changed, audited)', async (action, send) => {
      const before = await row(root.token.id);
      const res = await send(as(t, writer.secret), root.token.id);
      expect(res.status).toBe(403);
      expect(res.body.detail).toContain('*:*');
      expect(await row(root.token.id)).toEqual(before);
      await me(root.secret).expect(200);
      expect(await lastRefusal(writer.token.id)).toMatchObject({ action: `token.${action}`, target_id: root.token.id, reason: 'wider_than_caller' });
    });

    it('cannot activate a deactivated *:* token', async () => {
      const parked = await create(aToken().withScopes('*:*').build());
      await admin.post(`/tokens/${parked.token.id}/deactivate`).expect(200);
      expect((await as(t, writer.secret).post(`/tokens/${parked.token.id}/activate`)).status).toBe(403);
      await me(parked.secret).expect(401);
    });

    it('cannot give a narrower token a wider role or scope, nor create one', async () => {
      const roles = (await admin.get('/roles').expect(200)).body as RoleDto[];
      const all = roles.find((r) => r.name === 'All permissions') as RoleDto;
      const { token } = (await as(t, writer.secret).post('/tokens', aToken().withScopes('tokens:read').build()).expect(201)).body as {
        token: TokenDto;
      };
      const viaRole = await as(t, writer.secret).patch(`/tokens/${token.id}`, { roleId: all.id });
      expect(viaRole.status).toBe(403);
      expect(viaRole.body.detail).toBe("The token would be wider than the caller: permissions *:* beyond the caller's permissions");
      expect(viaRole.body.errors).toEqual([{ field: 'scopes', message: "*:* beyond the caller's permissions" }]);
      expect((await as(t, writer.secret).post('/tokens', aToken().withRole(all.id).build())).status).toBe(403);
    });

    it('acts on narrower tokens: create, edit, regenerate, deactivate, activate, revoke, delete', async () => {
      const w = as(t, writer.secret);
      const { token } = (await w.post('/tokens', aToken().withScopes('tokens:read').build()).expect(201)).body as { token: TokenDto };
      await w.patch(`/tokens/${token.id}`, { description: 'narrow', scopes: ['tokens:read', 'tokens:write'] }).expect(200);
      const regenerated = await w.post(`/tokens/${token.id}/regenerate`, {}).expect(200);
      await me(regenerated.body.secret as string).expect(200);
      await w.post(`/tokens/${token.id}/deactivate`).expect(200);
      await w.post(`/tokens/${token.id}/activate`).expect(200);
      await w.post(`/tokens/${token.id}/revoke`).expect(200);
      await w.delete(`/tokens/${token.id}`).expect(204);
    });
  });

  describe('a token held to every kind of limit', () => {
    const limits = {
      scopes: ['tokens:read', 'tokens:write'],
      allowedIps: ['127.0.0.0/8', '::1'],
      blockedIps: ['127.0.0.99'],
      allowedEndpoints: ['* /api/v1/tokens/**', 'GET /api/v1/auth/me'],
      blockedEndpoints: ['DELETE /api/v1/**'],
      allowedOrigins: ['https://console.example.com'],
      validFrom: plus(-HOUR).toISOString(),
      validTo: plus(24 * HOUR).toISOString(),
    };
    let held: { token: TokenDto; secret: string };
    const child = (overrides: Record<string, unknown>) => ({ ...limits, name: `child ${Math.random().toString(36).slice(2)}`, ...overrides });

    beforeAll(async () => {
      t.setNow(T0);
      held = await create({ name: 'held', ...limits });
    });

    it('cannot PATCH itself free of its blocked lists: 403 naming both, nothing written', async () => {
      const before = await row(held.token.id);
      const res = await as(t, held.secret).patch(`/tokens/${held.token.id}`, { blockedEndpoints: [], blockedIps: [] });
      expect(res.status).toBe(403);
      expect(res.body.detail).toBe(
        'The token would be wider than the caller: blockedIps would no longer block 127.0.0.99, which the caller is blocked from; ' +
          'blockedEndpoints would no longer block DELETE /api/v1/**, which the caller is blocked from',
      );
      expect((res.body.errors as { field: string }[]).map((e) => e.field)).toEqual(['blockedIps', 'blockedEndpoints']);
      expect(await row(held.token.id)).toEqual(before);
      expect(await lastRefusal(held.token.id)).toMatchObject({ action: 'token.update', target_id: held.token.id, reason: 'wider_than_caller' });
    });

    it.each([
      ['blockedIps', { blockedIps: [] }],
      ['blockedEndpoints', { blockedEndpoints: ['DELETE /api/v1/tokens/*'] }],
      ['allowedIps', { allowedIps: [] }],
      ['allowedEndpoints', { allowedEndpoints: ['* /api/v1/**'] }],
      ['allowedOrigins', { allowedOrigins: [] }],
      ['validTo', { validTo: null }],
      ['validTo', { validTo: plus(48 * HOUR).toISOString() }],
    ])('cannot loosen its own %s, nor create a child without it (403)', async (field, loosened) => {
      const self = await as(t, held.secret).patch(`/tokens/${held.token.id}`, loosened);
      expect(self.status).toBe(403);
      expect((self.body.errors as { field: string }[]).map((e) => e.field)).toEqual([field]);
      const before = (await t.db.query(`SELECT count(*)::int AS n FROM tokens`)) as { n: number }[];
      const created = await as(t, held.secret).post('/tokens', child(loosened));
      expect(created.status).toBe(403);
      expect(created.body.secret).toBeUndefined();
      expect((created.body.errors as { field: string }[]).map((e) => e.field)).toEqual([field]);
      expect(await t.db.query(`SELECT count(*)::int AS n FROM tokens`)).toEqual(before);
      expect(await lastRefusal(held.token.id)).toMatchObject({ action: 'token.create', target_id: null, reason: 'wider_than_caller' });
    });

    it('creates a child that keeps every limit, or narrower ones', async () => {
      await as(t, held.secret).post('/tokens', child({})).expect(201);
      const narrower = child({
        scopes: ['tokens:read'],
        allowedIps: ['127.0.0.1'],
        blockedIps: ['127.0.0.99', '127.0.0.98'],
        allowedEndpoints: ['GET /api/v1/tokens/**'],
        blockedEndpoints: ['DELETE /**'],
        validTo: plus(HOUR).toISOString(),
      });
      await as(t, held.secret).post('/tokens', narrower).expect(201);
    });

    it('narrows itself, regenerates and revokes itself', async () => {
      const own = await create({ name: 'narrowing itself', ...limits });
      const client = as(t, own.secret);
      const res = await client
        .patch(`/tokens/${own.token.id}`, { scopes: ['tokens:read', 'tokens:write'], blockedIps: ['127.0.0.99', '127.0.0.42'], validTo: plus(2 * HOUR).toISOString() })
        .expect(200);
      expect(res.body).toMatchObject({ blockedIps: ['127.0.0.99', '127.0.0.42'], validTo: plus(2 * HOUR).toISOString() });
      // once narrowed, it cannot go back
      expect((await client.patch(`/tokens/${own.token.id}`, { validTo: limits.validTo })).status).toBe(403);
      const fresh = (await client.post(`/tokens/${own.token.id}/regenerate`, {}).expect(200)).body.secret as string;
      await as(t, fresh).post(`/tokens/${own.token.id}/revoke`).expect(200);
      await me(fresh).expect(401);
    });

    it('cannot act on a token without its limits, even one with fewer permissions', async () => {
      const free = await create(aToken().withScopes('tokens:read').build());
      const res = await as(t, held.secret).post(`/tokens/${free.token.id}/regenerate`, {});
      expect(res.status).toBe(403);
      expect(res.body.detail).toMatch(/^The token is wider than the caller: validTo never expiring is later than the caller's/);
    });
  });

  describe('a user whose role holds only tokens:read and tokens:write', () => {
    let user: ReturnType<typeof as>;

    beforeAll(async () => {
      t.setNow(T0);
      const role = (await admin.post('/roles', { name: 'Token keepers', permissions: ['tokens:read', 'tokens:write'] }).expect(201)).body as RoleDto;
      await admin.post('/users', { email: 'keeper@tessera.test', displayName: 'Keeper', password: 'a-long-password-1', roleId: role.id }).expect(201);
      user = as(t, await t.login('keeper@tessera.test', 'a-long-password-1'));
    });

    it('cannot regenerate or revoke a *:* token', async () => {
      const root = await create(aToken().withScopes('*:*').build());
      expect((await user.post(`/tokens/${root.token.id}/regenerate`, {})).status).toBe(403);
      expect((await user.post(`/tokens/${root.token.id}/revoke`)).status).toBe(403);
      await me(root.secret).expect(200);
    });

    it('acts on any token whose permissions it covers, whatever its limits (a user has none)', async () => {
      const fenced = await create(aToken().withScopes('tokens:read').allowingIps('10.0.0.0/8').expiringIn('1h', T0).build());
      await user.post(`/tokens/${fenced.token.id}/regenerate`, {}).expect(200);
      await user.patch(`/tokens/${fenced.token.id}`, { allowedIps: [], validTo: null }).expect(200);
    });
  });
});
