import type { RoleDto } from '@tessera/domain';
import { createTestApp, type TestApp } from '../testing/test-app';
import { as, auditOf, WITHOUT_FAILURE_LIMIT } from '../tokens/testing/api-client';
import { aToken } from '../tokens/testing/a-token';

describe('roles over HTTP', () => {
  let t: TestApp;
  let admin: ReturnType<typeof as>;

  beforeAll(async () => {
    t = await createTestApp({ env: WITHOUT_FAILURE_LIMIT });
    admin = as(t, t.admin.token);
  });

  afterAll(async () => {
    await t?.close();
  });

  const builtIn = async (name: string): Promise<RoleDto> => {
    const roles = (await admin.get('/roles').expect(200)).body as RoleDto[];
    const role = roles.find((r) => r.name === name);
    if (!role) throw new Error(`no role ${name}`);
    return role;
  };

  it('lists the built-in roles first', async () => {
    const roles = (await admin.get('/roles').expect(200)).body as RoleDto[];
    expect(roles.slice(0, 3)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'All permissions', permissions: ['*:*'], builtIn: true }),
        expect.objectContaining({ name: 'Read only', permissions: ['*:read'], builtIn: true }),
        expect.objectContaining({ name: 'CLI developer', permissions: ['@cli'], builtIn: true }),
      ]),
    );
  });

  it('creates, reads, edits and deletes a role, auditing each change', async () => {
    const created = await admin.post('/roles', { name: 'Reporting', description: 'reports', permissions: ['audit:read', 'tokens:read'] });
    expect(created.status).toBe(201);
    const role = created.body as RoleDto;
    expect(role).toMatchObject({ name: 'Reporting', description: 'reports', permissions: ['audit:read', 'tokens:read'], builtIn: false });

    expect((await admin.get(`/roles/${role.id}`).expect(200)).body).toEqual(role);
    const edited = await admin.patch(`/roles/${role.id}`, { name: 'Reporting v2', permissions: ['audit:read'] }).expect(200);
    expect(edited.body).toMatchObject({ name: 'Reporting v2', permissions: ['audit:read'] });
    await admin.delete(`/roles/${role.id}`).expect(204);
    await admin.get(`/roles/${role.id}`).expect(404);
    expect((await auditOf(t, role.id)).map((r) => r.action)).toEqual(['role.create', 'role.update', 'role.delete']);
  });

  it('keeps names unique per organization, case-insensitively', async () => {
    await admin.post('/roles', { name: 'Ops', permissions: ['tokens:read'] }).expect(201);
    const dup = await admin.post('/roles', { name: 'OPS', permissions: ['tokens:read'] });
    expect(dup.status).toBe(409);
    expect(dup.body.errors).toEqual([expect.objectContaining({ field: 'name' })]);
    const clash = await admin.post('/roles', { name: 'read only', permissions: ['tokens:read'] });
    expect(clash.status).toBe(409);
  });

  it('refuses to change or delete a built-in role (409)', async () => {
    const all = await builtIn('All permissions');
    const patch = await admin.patch(`/roles/${all.id}`, { permissions: ['tokens:read'] });
    expect(patch.status).toBe(409);
    expect(patch.body.detail).toContain('built-in');
    const del = await admin.delete(`/roles/${all.id}`);
    expect(del.status).toBe(409);
    expect(del.body.detail).toContain('built-in');
  });

  it('refuses to delete a role in use by a token or a user (409)', async () => {
    const role = (await admin.post('/roles', { name: 'Used by token', permissions: ['tokens:read'] }).expect(201)).body as RoleDto;
    const { token } = (await admin.post('/tokens', aToken().withRole(role.id).build()).expect(201)).body as { token: { id: string } };
    const res = await admin.delete(`/roles/${role.id}`);
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain('1 token');
    await admin.delete(`/tokens/${token.id}`).expect(204);

    const userRole = (await admin.post('/roles', { name: 'Used by user', permissions: ['tokens:read'] }).expect(201)).body as RoleDto;
    await admin
      .post('/users', { email: 'roleuser@tessera.test', displayName: 'Role user', password: 'a-long-password-1', roleId: userRole.id })
      .expect(201);
    const byUser = await admin.delete(`/roles/${userRole.id}`);
    expect(byUser.status).toBe(409);
    expect(byUser.body.detail).toContain('1 user');
  });

  it('applies a role edit from the next request on', async () => {
    const role = (await admin.post('/roles', { name: 'Editable', permissions: ['tokens:read'] }).expect(201)).body as RoleDto;
    const { secret } = (await admin.post('/tokens', aToken().withRole(role.id).build()).expect(201)).body as { secret: string };
    const asToken = as(t, secret);
    await asToken.get('/tokens').expect(200);
    await asToken.get('/roles').expect(403);

    await admin.patch(`/roles/${role.id}`, { permissions: ['roles:read'] }).expect(200);
    await asToken.get('/roles').expect(200);
    const refused = await asToken.get('/tokens');
    expect(refused.status).toBe(403);
    expect(refused.headers['www-authenticate']).toContain('insufficient_scope');
  });

  it('validates bodies (400 naming each field)', async () => {
    const res = await admin.post('/roles', { name: '', permissions: [], extra: 1 });
    expect(res.status).toBe(400);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'permissions']));
    const bad = await admin.post('/roles', { name: 'x', permissions: ['tokens:read', 'Tokens:Write'] });
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'permissions.1' })]);
  });

  it('does not let a principal grant permissions it lacks', async () => {
    const limited = (await admin.post('/roles', { name: 'Role admin', permissions: ['roles:read', 'roles:write'] }).expect(201)).body as RoleDto;
    const { secret } = (await admin.post('/tokens', aToken().withRole(limited.id).build()).expect(201)).body as { secret: string };
    const res = await as(t, secret).post('/roles', { name: 'Escalation', permissions: ['*:*'] });
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain('*:*');
    await as(t, secret).post('/roles', { name: 'Narrow', permissions: ['roles:read'] }).expect(201);
  });

  it('answers 400 for a malformed id and 404 for an unknown one', async () => {
    expect((await admin.get('/roles/123')).status).toBe(400);
    expect((await admin.get('/roles/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});
