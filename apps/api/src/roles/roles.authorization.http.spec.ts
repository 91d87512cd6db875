import type { RoleDto } from '@tessera/domain';
import { createTestApp, type TestApp } from '../testing/test-app';
import { aToken } from '../tokens/testing/a-token';
import { as, WITHOUT_FAILURE_LIMIT } from '../tokens/testing/api-client';

/**
 * Attacks on "a caller creates, edits or deletes only roles it covers, and a role edit never
 * changes a token or user wider than the caller". Each of them succeeded before the rule was
 * wired into the routes (only the permissions an edit added were checked).
 */
describe('roles: no caller changes a role, or its holders, beyond itself', () => {
  let t: TestApp;
  let admin: ReturnType<typeof as>;
  let roleAdmin: ReturnType<typeof as>;
  let roleAdminId: string;
  let roleAdmins: RoleDto;

  beforeAll(async () => {
    t = await createTestApp({ env: WITHOUT_FAILURE_LIMIT });
    admin = as(t, t.admin.token);
    roleAdmins = (await admin.post('/roles', { name: 'Role admins', permissions: ['roles:read', 'roles:write', 'tokens:read'] }).expect(201))
      .body as RoleDto;
    roleAdminId = (
      (await admin.post('/users', { email: 'roles@tessera.test', displayName: 'Roles', password: 'a-long-password-1', roleId: roleAdmins.id }).expect(201))
        .body as { id: string }
    ).id;
    roleAdmin = as(t, await t.login('roles@tessera.test', 'a-long-password-1'));
  });

  afterAll(async () => {
    await t?.close();
  });

  const newRole = async (name: string, permissions: string[]): Promise<RoleDto> =>
    (await admin.post('/roles', { name, permissions }).expect(201)).body as RoleDto;
  const permissionsOf = async (id: string): Promise<string[]> => ((await admin.get(`/roles/${id}`).expect(200)).body as RoleDto).permissions;
  const lastRefusal = async (actorId: string) =>
    (
      (await t.db.query(
        `SELECT action, target_id, reason FROM audit_events WHERE actor_id = $1 AND outcome = 'failure' ORDER BY seq DESC LIMIT 1`,
        [actorId],
      )) as unknown[]
    )[0];

  it('cannot narrow, rename or delete a role wider than itself (403, nothing written, audited)', async () => {
    const admins = await newRole('Admins', ['*:*']);
    const narrowed = await roleAdmin.patch(`/roles/${admins.id}`, { permissions: ['tokens:read'] });
    expect(narrowed.status).toBe(403);
    expect(narrowed.body.detail).toBe("The role is wider than the caller: permissions *:* beyond the caller's permissions");
    expect(await lastRefusal(roleAdminId)).toEqual({ action: 'role.update', target_id: admins.id, reason: 'wider_than_caller' });
    expect((await roleAdmin.patch(`/roles/${admins.id}`, { name: 'Mine' })).status).toBe(403);
    const deleted = await roleAdmin.delete(`/roles/${admins.id}`);
    expect(deleted.status).toBe(403);
    expect(await lastRefusal(roleAdminId)).toEqual({ action: 'role.delete', target_id: admins.id, reason: 'wider_than_caller' });
    expect(await permissionsOf(admins.id)).toEqual(['*:*']);
  });

  it('cannot change the permissions of a role held by a token wider than itself', async () => {
    const readers = await newRole('Token readers', ['tokens:read']);
    // Within the caller's permissions by itself, but its holder also has audit:write.
    await admin.post('/tokens', aToken().named('auditor').withRole(readers.id).build()).expect(201);
    const holder = (await t.db.query(`SELECT id FROM tokens WHERE name = 'auditor'`)) as { id: string }[];
    await admin.patch(`/tokens/${holder[0]?.id}`, { scopes: ['audit:write'] }).expect(200);
    const res = await roleAdmin.patch(`/roles/${readers.id}`, { permissions: ['roles:read'] });
    expect(res.status).toBe(403);
    expect(res.body.detail).toBe(
      'The role is wider than the caller: permissions audit:write beyond the caller\'s permissions (for token "auditor", which holds the role)',
    );
    expect(await permissionsOf(readers.id)).toEqual(['tokens:read']);
    // Renaming changes no holder's rights: allowed.
    await roleAdmin.patch(`/roles/${readers.id}`, { description: 'tokens, read only' }).expect(200);
  });

  it('a token with limits cannot change the permissions of a role held by a user (a user has none)', async () => {
    const viewers = await newRole('Viewers', ['tokens:read']);
    await admin.post('/users', { email: 'viewer@tessera.test', displayName: 'Viewer', password: 'a-long-password-1', roleId: viewers.id }).expect(201);
    const fenced = (
      await admin.post('/tokens', aToken().withScopes('roles:read', 'roles:write', 'tokens:read').allowingIps('127.0.0.0/8', '::1').build()).expect(201)
    ).body as { secret: string };
    const edit = await as(t, fenced.secret).patch(`/roles/${viewers.id}`, { permissions: ['roles:read'] });
    expect(edit.status).toBe(403);
    expect(edit.body.detail).toContain('user viewer@tessera.test');
    expect(await permissionsOf(viewers.id)).toEqual(['tokens:read']);
  });

  it('cannot widen its own role', async () => {
    const res = await roleAdmin.patch(`/roles/${roleAdmins.id}`, { permissions: ['roles:read', 'roles:write', 'tokens:read', 'users:write'] });
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain('users:write');
  });

  it('edits roles it covers, held by principals it covers, and narrows its own', async () => {
    const readers = await newRole('Plain readers', ['tokens:read', 'roles:read']);
    await admin.post('/tokens', aToken().withRole(readers.id).allowingIps('10.0.0.0/8').build()).expect(201);
    await roleAdmin.patch(`/roles/${readers.id}`, { permissions: ['tokens:read'] }).expect(200);
    await roleAdmin.patch(`/roles/${readers.id}`, { permissions: ['tokens:read', 'roles:read'] }).expect(200);
    const spare = (await roleAdmin.post('/roles', { name: 'Spare', permissions: ['roles:read'] }).expect(201)).body as RoleDto;
    await roleAdmin.delete(`/roles/${spare.id}`).expect(204);
    await roleAdmin.patch(`/roles/${roleAdmins.id}`, { permissions: ['roles:read', 'roles:write'] }).expect(200);
  });
});
