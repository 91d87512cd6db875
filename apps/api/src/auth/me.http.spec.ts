import { BUILTIN_RESOURCES, grantablePermissions, type MeDto, type RoleDto } from '@tessera/domain';
import { insertToken } from '../testing/fixtures';
import { bearer, createTestApp, type TestApp } from '../testing/test-app';
import { aToken } from '../tokens/testing/a-token';
import { as, WITHOUT_FAILURE_LIMIT } from '../tokens/testing/api-client';

const ME = '/api/v1/auth/me';

/** Issue 9.9: auth/me describes the caller; for a user that includes the user's email. */
describe('GET auth/me', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: WITHOUT_FAILURE_LIMIT });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("includes a user's email, read from the user row", async () => {
    const res = await t.http.get(ME).set(bearer(t.admin.token));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'user', email: t.admin.email, name: 'Administrator' });
    expect(res.body.sessionId).toEqual(expect.any(String));

    const org = await t.createOrg();
    const other = await t.http.get(ME).set(bearer(org.token));
    expect(other.body).toMatchObject({ kind: 'user', email: org.email, organization: { id: org.organizationId } });
  });

  it('has no email for a token caller', async () => {
    const { id, secret } = await insertToken(t);
    const res = await t.http.get(ME).set(bearer(secret));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'token', id, tokenId: id });
    expect(res.body).not.toHaveProperty('email');
  });

  it('documents email in the OpenAPI document', async () => {
    const doc = (await t.http.get('/api/docs/openapi.json')).body as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } };
    expect(doc.components.schemas['MeResponse']?.properties).toHaveProperty('email');
    expect(doc.components.schemas['MeResponse']?.properties).toHaveProperty('grantable');
  });
});

const EVERY_PERMISSION = BUILTIN_RESOURCES.flatMap((r) => r.actions.map((a) => `${r.resource}:${a}`));

/**
 * Issue 17.1/17.2: auth/me says what the authorization rule lets the caller do (its limits and the
 * permissions it may hand out), and the api's answers to the changes agree with it.
 */
describe('GET auth/me: what the caller may do', () => {
  let t: TestApp;
  let admin: ReturnType<typeof as>;
  let roles: RoleDto[];
  const PASSWORD = 'a-long-password-1';

  beforeAll(async () => {
    t = await createTestApp({ env: WITHOUT_FAILURE_LIMIT });
    admin = as(t, t.admin.token);
    roles = (await admin.get('/roles').expect(200)).body as RoleDto[];
  });
  afterAll(async () => {
    await t?.close();
  });

  async function userWith(email: string, permissions: string[] | 'Read only'): Promise<ReturnType<typeof as>> {
    const roleId =
      permissions === 'Read only'
        ? (roles.find((r) => r.name === 'Read only') as RoleDto).id
        : ((await admin.post('/roles', { name: `role of ${email}`, permissions }).expect(201)).body as RoleDto).id;
    await admin.post('/users', { email, displayName: email, password: PASSWORD, roleId }).expect(201);
    return as(t, await t.login(email, PASSWORD));
  }
  const meOf = async (who: ReturnType<typeof as>) => (await who.get('/auth/me').expect(200)).body as MeDto;

  it('an admin: every permission, every catalog permission to hand out', async () => {
    const me = await meOf(admin);
    expect(me.permissions).toEqual(['*:*']);
    expect(me.grantable).toEqual(EVERY_PERMISSION);
  });

  it('a Read only user: *:read, and only the read permissions to hand out', async () => {
    const me = await meOf(await userWith('reader@tessera.test', 'Read only'));
    expect(me.permissions).toEqual(['*:read']);
    expect(me.grantable).toEqual(EVERY_PERMISSION.filter((p) => p.endsWith(':read')));
  });

  it('a tokens:read+write user may hand out exactly those two, and the api refuses every other permission', async () => {
    const writer = await userWith('writer@tessera.test', ['tokens:read', 'tokens:write']);
    const me = await meOf(writer);
    expect(me.grantable).toEqual(['tokens:read', 'tokens:write']);
    expect(me.grantable).toEqual(grantablePermissions(me.permissions, BUILTIN_RESOURCES));
    for (const p of EVERY_PERMISSION) {
      const res = await writer.post('/tokens', aToken().withScopes(p).build());
      expect([p, res.status]).toEqual([p, me.grantable.includes(p) ? 201 : 403]);
    }
    // nor through a role: Read only holds *:read, beyond tokens:read+write
    const readOnly = roles.find((r) => r.name === 'Read only') as RoleDto;
    expect((await writer.post('/tokens', aToken().withRole(readOnly.id).build())).status).toBe(403);
  });

  it('a token caller: what it may hand out, and whatever it makes also stays within its own limits', async () => {
    const validTo = new Date(Date.now() + 86_400_000);
    const { secret } = await insertToken(t, {
      scopes: ['tokens:read', 'tokens:write', 'audit:read'],
      allowedIps: ['127.0.0.0/8'],
      blockedEndpoints: ['DELETE /api/v1/**'],
      validTo,
    });
    const token = as(t, secret);
    const me = await meOf(token);
    expect(me).toMatchObject({
      kind: 'token',
      permissions: ['tokens:read', 'tokens:write', 'audit:read'],
      grantable: ['tokens:read', 'tokens:write', 'audit:read'],
    });
    // a permission on offer, but limits wider than its own: refused
    expect((await token.post('/tokens', aToken().withScopes('audit:read').build())).status).toBe(403);
    const within = aToken()
      .withScopes('audit:read')
      .allowingIps('127.0.0.1')
      .blockingEndpoints('DELETE /api/v1/**')
      .build();
    await token.post('/tokens', { ...within, validTo: validTo.toISOString() }).expect(201);
  });

  it('follows a change of the role at once (no stale answer from the credential cache)', async () => {
    const reader = await userWith('changing@tessera.test', ['audit:read']);
    expect((await meOf(reader)).grantable).toEqual(['audit:read']);
    const role = ((await admin.get('/roles').expect(200)).body as RoleDto[]).find((r) => r.name === 'role of changing@tessera.test') as RoleDto;
    await admin.patch(`/roles/${role.id}`, { permissions: ['audit:read', 'roles:read'] }).expect(200);
    expect((await meOf(reader)).grantable).toEqual(['roles:read', 'audit:read']);
  });
});
