import type { RoleDto, TokenDto, UserDto } from '@tessera/domain';
import { createTestApp, type TestApp, type TestOrg } from '../testing/test-app';
import { as, WITHOUT_FAILURE_LIMIT } from '../tokens/testing/api-client';
import { aToken } from '../tokens/testing/a-token';

describe('organizations and tenancy over HTTP', () => {
  let t: TestApp;
  let root: ReturnType<typeof as>;

  beforeAll(async () => {
    t = await createTestApp({ env: WITHOUT_FAILURE_LIMIT });
    root = as(t, t.admin.token);
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('POST /organizations', () => {
    it('creates an organization with built-in roles and its first admin, who can log in', async () => {
      const res = await root.post('/organizations', { name: 'Acme', adminEmail: 'Boss@Acme.test', adminPassword: 'acme-password-123' });
      expect(res.status).toBe(201);
      expect(res.body.organization).toMatchObject({ name: 'Acme' });
      expect(res.body.admin).toMatchObject({ email: 'boss@acme.test', roleName: 'All permissions', active: true });
      expect(res.body.adminPassword).toBeUndefined();

      const session = await t.login('boss@acme.test', 'acme-password-123');
      const acme = as(t, session);
      const me = (await acme.get('/auth/me').expect(200)).body as { organization: { id: string; name: string } };
      expect(me.organization).toEqual({ id: res.body.organization.id, name: 'Acme' });
      const roles = (await acme.get('/roles').expect(200)).body as RoleDto[];
      expect(roles.map((r) => r.name).sort()).toEqual(['All permissions', 'CLI developer', 'Read only']);

      const audit = await t.db.query(`SELECT organization_id, action FROM audit_events WHERE target_id = $1`, [res.body.organization.id]);
      expect(audit).toEqual([{ organization_id: t.admin.organizationId, action: 'organization.create' }]);
    });

    it('generates the admin password when none is given and returns it once', async () => {
      const res = await root.post('/organizations', { name: 'Generated', adminEmail: 'gen@org.test' }).expect(201);
      const password = res.body.adminPassword as string;
      expect(password.length).toBeGreaterThanOrEqual(20);
      await t.login('gen@org.test', password);
      const audit = await t.db.query(`SELECT details FROM audit_events WHERE target_id = $1`, [res.body.organization.id]);
      expect(JSON.stringify(audit)).not.toContain(password);
    });

    it('refuses a taken name or admin email (409 naming the field)', async () => {
      await root.post('/organizations', { name: 'Twice', adminEmail: 'twice@org.test' }).expect(201);
      const name = await root.post('/organizations', { name: 'TWICE', adminEmail: 'other@org.test' });
      expect(name.status).toBe(409);
      expect(name.body.errors).toEqual([expect.objectContaining({ field: 'name' })]);
      const email = await root.post('/organizations', { name: 'Third', adminEmail: t.admin.email });
      expect(email.status).toBe(409);
      expect(email.body.errors).toEqual([expect.objectContaining({ field: 'adminEmail' })]);
    });

    it('is refused to principals of other organizations (403)', async () => {
      const other = await t.createOrg();
      const res = await as(t, other.token).post('/organizations', { name: 'Nested', adminEmail: 'nested@org.test' });
      expect(res.status).toBe(403);
    });

    it('validates the body', async () => {
      const res = await root.post('/organizations', { name: '', adminEmail: 'nope', adminPassword: 'short' });
      expect(res.status).toBe(400);
      const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['name', 'adminEmail', 'adminPassword']));
    });
  });

  describe('isolation between organizations', () => {
    let other: TestOrg;
    let theirs: ReturnType<typeof as>;
    let token: TokenDto;
    let role: RoleDto;
    let user: UserDto;

    beforeAll(async () => {
      other = await t.createOrg('Isolated');
      theirs = as(t, other.token);
      token = ((await root.post('/tokens', aToken().named('root secret token').build()).expect(201)).body as { token: TokenDto }).token;
      role = (await root.post('/roles', { name: 'Root role', permissions: ['tokens:read'] }).expect(201)).body as RoleDto;
      user = (
        await root
          .post('/users', { email: 'rootuser@tessera.test', displayName: 'Root user', password: 'root-user-password', roleId: role.id })
          .expect(201)
      ).body as UserDto;
    });

    it("does not list the other organization's tokens, roles or users", async () => {
      const tokens = (await theirs.get('/tokens?pageSize=100').expect(200)).body as { items: TokenDto[]; total: number };
      expect(tokens.items.map((i) => i.id)).not.toContain(token.id);
      expect((await theirs.get(`/tokens?guid=${token.id}`).expect(200)).body.total).toBe(0);
      const roles = (await theirs.get('/roles').expect(200)).body as RoleDto[];
      expect(roles.map((r) => r.id)).not.toContain(role.id);
      const users = (await theirs.get('/users').expect(200)).body as UserDto[];
      expect(users.map((u) => u.id)).not.toContain(user.id);
    });

    it("answers 404 for every route on the other organization's token", async () => {
      await theirs.get(`/tokens/${token.id}`).expect(404);
      await theirs.patch(`/tokens/${token.id}`, { name: 'hijacked' }).expect(404);
      for (const action of ['deactivate', 'activate', 'revoke']) await theirs.post(`/tokens/${token.id}/${action}`).expect(404);
      await theirs.post(`/tokens/${token.id}/regenerate`, {}).expect(404);
      await theirs.delete(`/tokens/${token.id}`).expect(404);
      await theirs.post('/access/explain', { tokenId: token.id, method: 'GET', path: '/api/v1/tokens', ip: '127.0.0.1' }).expect(404);
      const after = (await root.get(`/tokens/${token.id}`).expect(200)).body as TokenDto;
      expect(after).toMatchObject({ name: 'root secret token', status: 'active', version: token.version });
    });

    it("answers 404 for the other organization's roles and users, and refuses them as references", async () => {
      await theirs.get(`/roles/${role.id}`).expect(404);
      await theirs.patch(`/roles/${role.id}`, { name: 'x' }).expect(404);
      await theirs.delete(`/roles/${role.id}`).expect(404);
      await theirs.get(`/users/${user.id}`).expect(404);
      await theirs.patch(`/users/${user.id}`, { active: false }).expect(404);
      const ref = await theirs.post('/tokens', aToken().withRole(role.id).build());
      expect(ref.status).toBe(400);
      expect(ref.body.errors).toEqual([expect.objectContaining({ field: 'roleId' })]);
      expect((await root.get(`/users/${user.id}`).expect(200)).body.active).toBe(true);
    });

    it("lets the root organization see nothing inside the new organization", async () => {
      const theirToken = ((await theirs.post('/tokens', aToken().build()).expect(201)).body as { token: TokenDto }).token;
      await root.get(`/tokens/${theirToken.id}`).expect(404);
      await root.delete(`/tokens/${theirToken.id}`).expect(404);
    });

    it("reports another organization's token as inactive on introspection", async () => {
      const { secret } = (await root.post('/tokens', aToken().build()).expect(201)).body as { secret: string };
      const introspector = (await theirs.post('/tokens', aToken().withScopes('tokens:introspect').build()).expect(201)).body as {
        secret: string;
      };
      const res = await as(t, introspector.secret).post('/introspect', { token: secret }).expect(200);
      expect(res.body).toEqual({ active: false });
    });
  });
});
