import type { RoleDto, UserDto } from '@tessera/domain';
import { createTestApp, type TestApp } from '../testing/test-app';
import { as, auditOf, WITHOUT_FAILURE_LIMIT } from '../tokens/testing/api-client';

describe('users over HTTP', () => {
  let t: TestApp;
  let admin: ReturnType<typeof as>;
  let readOnly: RoleDto;
  let allPermissions: RoleDto;

  beforeAll(async () => {
    t = await createTestApp({ env: WITHOUT_FAILURE_LIMIT });
    admin = as(t, t.admin.token);
    const roles = (await admin.get('/roles').expect(200)).body as RoleDto[];
    readOnly = roles.find((r) => r.name === 'Read only') as RoleDto;
    allPermissions = roles.find((r) => r.name === 'All permissions') as RoleDto;
  });

  afterAll(async () => {
    await t?.close();
  });

  const newUser = async (email: string, roleId = readOnly.id): Promise<UserDto> =>
    (await admin.post('/users', { email, displayName: 'Someone', password: 'a-long-password-1', roleId }).expect(201)).body as UserDto;

  it('lists the users of the organization', async () => {
    const users = (await admin.get('/users').expect(200)).body as UserDto[];
    expect(users).toEqual([expect.objectContaining({ email: t.admin.email, roleName: 'All permissions', active: true })]);
  });

  it('adds a user who can log in with the role given, never exposing the password', async () => {
    const res = await admin.post('/users', {
      email: '  Reader@Tessera.Test ',
      displayName: 'Reader',
      password: 'reader-password-1',
      roleId: readOnly.id,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email: 'reader@tessera.test', displayName: 'Reader', roleId: readOnly.id, roleName: 'Read only', lastLoginAt: null });
    expect(JSON.stringify(res.body)).not.toContain('password');
    const [row] = await t.db.query(`SELECT password_hash FROM users WHERE id = $1`, [res.body.id]);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);

    const reader = as(t, await t.login('reader@tessera.test', 'reader-password-1'));
    await reader.get('/tokens').expect(200);
    await reader.post('/tokens', { name: 'x', scopes: ['tokens:read'] }).expect(403);
    expect((await auditOf(t, res.body.id)).map((r) => r.action)).toEqual(['user.create']);
    expect(JSON.stringify(await auditOf(t, res.body.id))).not.toContain('reader-password-1');
  });

  it('refuses a registered email, in any case (409)', async () => {
    const res = await admin.post('/users', { email: t.admin.email.toUpperCase(), displayName: 'Dup', password: 'a-long-password-1', roleId: readOnly.id });
    expect(res.status).toBe(409);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'email' })]);
  });

  it('validates bodies, naming each field', async () => {
    const res = await admin.post('/users', { email: 'nope', displayName: '', password: 'short', roleId: 'x', admin: true });
    expect(res.status).toBe(400);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['email', 'displayName', 'password', 'roleId']));
    const unknownRole = await admin.post('/users', {
      email: 'norole@tessera.test',
      displayName: 'No role',
      password: 'a-long-password-1',
      roleId: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknownRole.status).toBe(400);
    expect(unknownRole.body.errors).toEqual([expect.objectContaining({ field: 'roleId' })]);
  });

  it('changes role, display name, active and password; deactivation and a new password end sessions', async () => {
    const user = await newUser('changing@tessera.test');
    const session = await t.login('changing@tessera.test', 'a-long-password-1');
    await as(t, session).get('/auth/me').expect(200);

    const promoted = await admin.patch(`/users/${user.id}`, { roleId: allPermissions.id, displayName: 'Changed' }).expect(200);
    expect(promoted.body).toMatchObject({ roleId: allPermissions.id, roleName: 'All permissions', displayName: 'Changed' });
    await as(t, session).post('/roles', { name: 'Made by promoted user', permissions: ['tokens:read'] }).expect(201);

    await admin.patch(`/users/${user.id}`, { password: 'a-new-password-22' }).expect(200);
    await as(t, session).get('/auth/me').expect(401);
    await expect(t.login('changing@tessera.test', 'a-long-password-1')).rejects.toThrow();
    const second = await t.login('changing@tessera.test', 'a-new-password-22');

    const off = await admin.patch(`/users/${user.id}`, { active: false }).expect(200);
    expect(off.body.active).toBe(false);
    await as(t, second).get('/auth/me').expect(401);
    await expect(t.login('changing@tessera.test', 'a-new-password-22')).rejects.toThrow();

    const rows = await auditOf(t, user.id);
    expect(rows.map((r) => r.action)).toEqual(['user.create', 'user.update', 'user.update', 'user.update']);
    expect(JSON.stringify(rows)).not.toContain('a-new-password-22');
  });

  it('does not let users change their own role or deactivate themselves', async () => {
    const me = (await admin.get('/auth/me').expect(200)).body as { id: string };
    expect((await admin.patch(`/users/${me.id}`, { active: false })).status).toBe(409);
    expect((await admin.patch(`/users/${me.id}`, { roleId: readOnly.id })).status).toBe(409);
    await admin.patch(`/users/${me.id}`, { displayName: 'The admin' }).expect(200);
  });

  it('does not let a user hand out a role wider than their own', async () => {
    const role = (await admin.post('/roles', { name: 'User admin', permissions: ['users:read', 'users:write', 'roles:read'] }).expect(201))
      .body as RoleDto;
    await newUser('useradmin@tessera.test', role.id);
    const userAdmin = as(t, await t.login('useradmin@tessera.test', 'a-long-password-1'));
    const res = await userAdmin.post('/users', { email: 'escalate@tessera.test', displayName: 'E', password: 'a-long-password-1', roleId: allPermissions.id });
    expect(res.status).toBe(403);
    await userAdmin
      .post('/users', { email: 'peer@tessera.test', displayName: 'Peer', password: 'a-long-password-1', roleId: role.id })
      .expect(201);
  });

  it('answers 400 for a malformed id, 404 for an unknown one', async () => {
    expect((await admin.patch('/users/nope', { active: true })).status).toBe(400);
    expect((await admin.patch('/users/00000000-0000-4000-8000-000000000000', { active: true })).status).toBe(404);
  });
});
