import { compileAccessRules, createIpMatcher, decideAccess, introspectionDecision, type TokenDto } from '@tessera/domain';
import fc from 'fast-check';
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

  it('answers {active:false} for a login session secret (introspection is for tokens)', async () => {
    expect((await service.post('/introspect', { token: t.admin.token }).expect(200)).body).toEqual({ active: false });
  });

  it('follows a change at once: a role edit changes the scope, a revoke makes the token inactive', async () => {
    const role = (await admin.post('/roles', { name: 'introspected', permissions: ['audit:read'] }).expect(201)).body as { id: string };
    const { token, secret } = await create(aToken().withRole(role.id).withScopes('tokens:read').build());
    expect((await service.post('/introspect', { token: secret }).expect(200)).body.scope).toBe('audit:read tokens:read');
    await admin.patch(`/roles/${role.id}`, { permissions: ['roles:read'] }).expect(200);
    expect((await service.post('/introspect', { token: secret }).expect(200)).body.scope).toBe('roles:read tokens:read');
    await admin.post(`/tokens/${token.id}/revoke`).expect(200);
    expect((await service.post('/introspect', { token: secret }).expect(200)).body).toEqual({ active: false });
  });

  describe('with the request the token came with (method, path, ip, origin, permission)', () => {
    const ask = (secret: string, request: Record<string, string>) => service.post('/introspect', { token: secret, ...request }).expect(200);
    const GET_ORDERS = { method: 'GET', path: '/orders', ip: '203.0.113.7' };

    it("answers the guard's decision: allowed, or which rule refused", async () => {
      const { secret } = await create(
        aToken()
          .withScopes('orders:read')
          .allowingIps('203.0.113.0/24')
          .allowingEndpoints('GET /orders/**')
          .build(),
      );
      expect((await ask(secret, { ...GET_ORDERS, permission: 'orders:read' })).body).toMatchObject({ active: true, decision: { allowed: true } });
      expect((await ask(secret, { ...GET_ORDERS, ip: '198.51.100.1', permission: 'orders:read' })).body.decision).toMatchObject({
        allowed: false,
        status: 403,
        reason: 'ip_not_allowed',
      });
      expect((await ask(secret, { ...GET_ORDERS, method: 'POST', permission: 'orders:read' })).body.decision.reason).toBe('endpoint_not_allowed');
      expect((await ask(secret, { ...GET_ORDERS, permission: 'orders:write' })).body.decision).toEqual({
        allowed: false,
        status: 403,
        error: 'insufficient_scope',
        reason: 'missing_permission',
        scope: 'orders:write',
        message: 'The token lacks the permission "orders:write"',
      });
      // Without the request: plain RFC 7662, no decision.
      expect((await service.post('/introspect', { token: secret }).expect(200)).body).not.toHaveProperty('decision');
    });

    it('holds origin rules and the organization allowlist, also for a form-encoded body', async () => {
      const { secret } = await create(aToken().withScopes('orders:read').build());
      const body = { token: secret, ...GET_ORDERS, origin: 'https://evil.example.net' };
      const originRule = await create(aToken().withScopes('orders:read').build());
      await admin.patch(`/tokens/${originRule.token.id}`, { allowedOrigins: ['https://shop.example.com'] }).expect(200);
      expect((await service.post('/introspect').type('form').send({ ...body, token: originRule.secret }).expect(200)).body.decision.reason).toBe(
        'origin_not_allowed',
      );
      expect((await service.post('/introspect').type('form').send({ ...body, token: originRule.secret, origin: 'https://shop.example.com' })).body.decision).toEqual({
        allowed: true,
      });
      await admin.put('/security/ip-allowlist', { entries: [{ cidr: '127.0.0.0/8' }, { cidr: '10.0.0.0/8' }] }).expect(200);
      try {
        expect((await ask(secret, GET_ORDERS)).body.decision.reason).toBe('org_ip_not_allowed');
        expect((await ask(secret, { ...GET_ORDERS, ip: '10.1.2.3' })).body.decision).toEqual({ allowed: true });
      } finally {
        await admin.put('/security/ip-allowlist', { entries: [] }).expect(200);
      }
    });

    it('says nothing about a token it would not report active (attacker: another organization, revoked)', async () => {
      const other = await t.createOrg();
      const theirs = (await as(t, other.token).post('/tokens', aToken().withScopes('orders:read').build()).expect(201)).body as { secret: string };
      expect((await ask(theirs.secret, GET_ORDERS)).body).toEqual({ active: false });
      const { token, secret } = await create();
      await admin.post(`/tokens/${token.id}/revoke`).expect(200);
      expect((await ask(secret, GET_ORDERS)).body).toEqual({ active: false });
    });

    it('names each missing or malformed field of the request', async () => {
      const { secret } = await create();
      const missing = await service.post('/introspect', { token: secret, permission: 'orders:read' }).expect(400);
      expect(missing.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['ip', 'method', 'path']);
      const bad = await service.post('/introspect', { token: secret, method: 'GET', path: '/x', ip: '203.0.113.7; DROP' }).expect(400);
      expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'ip' })]);
    });

    it("agrees with decideAccess over the token's rules for generated requests (property)", async () => {
      const rules = {
        allowedIps: ['203.0.113.0/24', '2001:db8::/48'],
        blockedIps: ['203.0.113.128/25'],
        allowedEndpoints: ['GET /orders/**', 'POST /orders'],
        blockedEndpoints: ['* /orders/secret/**'],
      };
      const body = aToken().withScopes('orders:read').build();
      const { secret } = await create({ ...body, ...rules });
      const compiled = { active: true, revokedAt: null, validFrom: null, validTo: null, rules: compileAccessRules({ permissions: ['orders:read'], ...rules }) };
      const ip = fc.oneof(
        fc.ipV4(),
        fc.integer({ min: 0, max: 255 }).map((n) => `203.0.113.${n}`),
        fc.integer({ min: 0, max: 0xffff }).map((n) => `2001:db8:0:${n.toString(16)}::1`),
      );
      const path = fc.constantFrom('/orders', '/orders/', '/orders/7', '/ORDERS/7', '/orders/secret/x', '/orders/%73ecret/x', '/other', '//orders/7');
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('GET', 'HEAD', 'POST', 'DELETE'), path, ip, fc.constantFrom('orders:read', 'orders:write'), async (method, p, address, permission) => {
          const answer = (await ask(secret, { method, path: p, ip: address, permission })).body;
          const expected = introspectionDecision(
            decideAccess(compiled, { method, path: p, ip: address, requiredPermission: permission, now: T0 }, createIpMatcher([])),
          );
          expect(answer.decision).toEqual(expected);
        }),
        { numRuns: 40 },
      );
    });
  });
});
