import type { TokenDto } from '@tessera/domain';
import { createTestApp, type TestApp } from '../testing/test-app';
import { as, WITHOUT_FAILURE_LIMIT } from '../tokens/testing/api-client';
import { aToken } from '../tokens/testing/a-token';

describe('POST /access/explain', () => {
  let t: TestApp;
  let admin: ReturnType<typeof as>;
  let token: TokenDto;

  beforeAll(async () => {
    t = await createTestApp({ env: WITHOUT_FAILURE_LIMIT });
    admin = as(t, t.admin.token);
    token = (
      (
        await admin
          .post(
            '/tokens',
            aToken()
              .withScopes('tokens:read')
              .allowingIps('203.0.113.0/24')
              .blockingIps('203.0.113.66')
              .allowingOrigins('https://*.example.com')
              .blockingEndpoints('DELETE /api/v1/**')
              .build(),
          )
          .expect(201)
      ).body as { token: TokenDto }
    ).token;
  });

  afterAll(async () => {
    await t?.close();
  });

  const explain = (body: Record<string, unknown>) => admin.post('/access/explain', { tokenId: token.id, method: 'GET', path: '/api/v1/tokens', ip: '203.0.113.7', ...body });

  it('allows, step by step', async () => {
    const res = await explain({ origin: 'https://app.example.com' }).expect(200);
    expect(res.body).toMatchObject({ allowed: true, status: 200, error: null, reason: null });
    expect((res.body.steps as { step: string; ok: boolean }[]).map((s) => s.step)).toEqual([
      'lookup',
      'status',
      'org_ip',
      'ip',
      'origin',
      'endpoint',
      'permission',
    ]);
    expect(res.body.steps.every((s: { ok: boolean }) => s.ok)).toBe(true);
  });

  it.each([
    [{ ip: '198.51.100.1' }, 403, 'ip_not_allowed'],
    [{ ip: '203.0.113.66' }, 403, 'ip_blocked'],
    [{ origin: 'https://evil.test' }, 403, 'origin_not_allowed'],
    [{ method: 'DELETE', path: '/api/v1/tokens/x' }, 403, 'endpoint_blocked'],
    [{ permission: 'roles:write' }, 403, 'missing_permission'],
  ])('refuses %j with %i %s', async (body, status, reason) => {
    const res = await explain(body).expect(200);
    expect(res.body).toMatchObject({ allowed: false, status, reason });
    expect(res.body.steps.at(-1).ok).toBe(false);
  });

  it("infers the permission of this api's route when none is given", async () => {
    const write = await explain({ method: 'POST', path: '/api/v1/tokens' }).expect(200);
    expect(write.body).toMatchObject({ allowed: false, reason: 'missing_permission', scope: 'tokens:write', error: 'insufficient_scope' });
    const revoke = await explain({ method: 'POST', path: `/api/v1/tokens/${token.id}/revoke` }).expect(200);
    expect(revoke.body.scope).toBe('tokens:write');
    const me = await explain({ path: '/api/v1/auth/me' }).expect(200);
    expect(me.body.allowed).toBe(true);
    const foreign = await explain({ path: '/elsewhere/orders', permission: null }).expect(200);
    expect(foreign.body.allowed).toBe(true);
  });

  it('includes the organization allowlist and the token status', async () => {
    await admin.put('/security/ip-allowlist', { entries: [{ cidr: '127.0.0.0/8' }] }).expect(200);
    const res = await explain({}).expect(200);
    expect(res.body).toMatchObject({ allowed: false, reason: 'org_ip_not_allowed' });
    await admin.put('/security/ip-allowlist', { entries: [] }).expect(200);

    await admin.post(`/tokens/${token.id}/deactivate`).expect(200);
    const inactive = await explain({}).expect(200);
    expect(inactive.body).toMatchObject({ allowed: false, status: 401, error: 'invalid_token', reason: 'inactive' });
    await admin.post(`/tokens/${token.id}/activate`).expect(200);
  });

  it('does not use the token', async () => {
    await explain({}).expect(200);
    await t.flush();
    const [row] = await t.db.query(`SELECT use_count::int AS n, last_used_at FROM tokens WHERE id = $1`, [token.id]);
    expect(row).toEqual({ n: 0, last_used_at: null });
  });

  it('answers 404 for an unknown token and 400 naming bad fields', async () => {
    await explain({ tokenId: '00000000-0000-4000-8000-000000000000' }).expect(404);
    const bad = await explain({ ip: 'nope', method: 'FETCH', path: 'relative' });
    expect(bad.status).toBe(400);
    expect((bad.body.errors as { field: string }[]).map((e) => e.field)).toEqual(expect.arrayContaining(['ip', 'method', 'path']));
  });

  it('answers 404 for a token of another organization, as for one that does not exist', async () => {
    const other = await t.createOrg('Explain elsewhere');
    const foreign = ((await as(t, other.token).post('/tokens', aToken().build()).expect(201)).body as { token: TokenDto }).token;
    const res = await explain({ tokenId: foreign.id });
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain(foreign.name);
  });

  it('explains a token by id as for its current secret, also while a previous one is in its grace', async () => {
    const { token: fresh } = (await admin.post('/tokens', aToken().withScopes('tokens:read').build()).expect(201)).body as { token: TokenDto };
    await admin.post(`/tokens/${fresh.id}/regenerate`, { graceSeconds: 60 }).expect(200);
    const res = await admin.post('/access/explain', { tokenId: fresh.id, method: 'GET', path: '/api/v1/tokens', ip: '198.51.100.9' }).expect(200);
    expect(res.body).toMatchObject({ allowed: true });
    expect(res.body.steps[0]).toMatchObject({ step: 'lookup', ok: true });
  });

  it('needs tokens:read', async () => {
    const { secret } = (await admin.post('/tokens', aToken().withScopes('roles:read').build()).expect(201)).body as { secret: string };
    expect((await as(t, secret).post('/access/explain', { tokenId: token.id, method: 'GET', path: '/', ip: '127.0.0.1' })).status).toBe(403);
  });
});
