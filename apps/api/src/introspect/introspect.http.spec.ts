import type { TokenDto } from '@tessera/domain';
import { createTestApp, type TestApp } from '../testing/test-app';
import { as, WITHOUT_FAILURE_LIMIT } from '../tokens/testing/api-client';
import { aToken } from '../tokens/testing/a-token';

const T0 = new Date('2031-06-01T00:00:00.000Z');
const secs = (d: Date): number => Math.floor(d.getTime() / 1000);

describe('POST /introspect (RFC 7662)', () => {
  let t: TestApp;
  let admin: ReturnType<typeof as>;
  let service: ReturnType<typeof as>;

  beforeAll(async () => {
    t = await createTestApp({ now: () => T0, env: WITHOUT_FAILURE_LIMIT });
    admin = as(t, t.admin.token);
    const { secret } = (await admin.post('/tokens', aToken().named('resource server').withScopes('tokens:introspect').build()).expect(201))
      .body as { secret: string };
    service = as(t, secret);
  });

  afterAll(async () => {
    await t?.close();
  });

  beforeEach(() => t.setNow(T0));

  const create = async (body = aToken().build()) => (await admin.post('/tokens', body).expect(201)).body as { token: TokenDto; secret: string };

  it('describes an active token', async () => {
    const validTo = new Date(T0.getTime() + 86_400_000);
    const validFrom = new Date(T0.getTime() - 60_000);
    const { token, secret } = await create(aToken().named('client').withScopes('tokens:read', 'audit:read').validFrom(validFrom).expiringAt(validTo).build());
    const res = await service.post('/introspect', { token: secret, token_type_hint: 'access_token' }).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      active: true,
      scope: 'tokens:read audit:read',
      exp: secs(validTo),
      iat: secs(new Date(token.createdAt)),
      nbf: secs(validFrom),
      sub: token.id,
      username: 'client',
      token_type: 'bearer',
      org: t.admin.organizationId,
    });
  });

  it('accepts a form-encoded body', async () => {
    const { secret } = await create();
    const res = await service.post('/introspect').type('form').send({ token: secret }).expect(200);
    expect(res.body.active).toBe(true);
    expect(res.body.exp).toBeUndefined();
  });

  it('answers {active:false} alone for malformed, unknown, inactive, revoked, pending and expired tokens', async () => {
    const inactive = await create();
    await admin.post(`/tokens/${inactive.token.id}/deactivate`).expect(200);
    const revoked = await create();
    await admin.post(`/tokens/${revoked.token.id}/revoke`).expect(200);
    const pending = await create(aToken().startingIn('1h', T0).build());
    const expiring = await create(aToken().expiringIn('1m', T0).build());
    t.setNow(new Date(T0.getTime() + 120_000));
    const unknown = inactive.secret.slice(0, 4) + 'A'.repeat(40) + inactive.secret.slice(-6);
    for (const token of ['nope', unknown, 'tsr_' + 'x'.repeat(46), inactive.secret, revoked.secret, pending.secret, expiring.secret]) {
      const res = await service.post('/introspect', { token }).expect(200);
      expect(res.body).toEqual({ active: false });
    }
  });

  it('reports a previous secret as active during its regenerate grace only', async () => {
    const { token, secret } = await create();
    await admin.post(`/tokens/${token.id}/regenerate`, { graceSeconds: 30 }).expect(200);
    expect((await service.post('/introspect', { token: secret }).expect(200)).body.active).toBe(true);
    t.setNow(new Date(T0.getTime() + 31_000));
    expect((await service.post('/introspect', { token: secret }).expect(200)).body.active).toBe(false);
  });

  it('does not count as a use of the token', async () => {
    const { token, secret } = await create();
    await service.post('/introspect', { token: secret }).expect(200);
    await t.flush();
    expect((await admin.get(`/tokens/${token.id}`).expect(200)).body).toMatchObject({ useCount: 0, lastUsedAt: null });
  });

  it('needs tokens:introspect and a valid body', async () => {
    const { secret } = await create(aToken().withScopes('tokens:read').build());
    const refused = await as(t, secret).post('/introspect', { token: secret });
    expect(refused.status).toBe(403);
    expect(refused.headers['www-authenticate']).toContain('tokens:introspect');
    const bad = await service.post('/introspect', { token: 42 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'token' })]);
  });
});
