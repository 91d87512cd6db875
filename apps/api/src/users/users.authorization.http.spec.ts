import type { RoleDto, UserDto } from '@tessera/domain';
import { createTestApp, type TestApp } from '../testing/test-app';
import { aToken } from '../tokens/testing/a-token';
import { as, auditOf, WITHOUT_FAILURE_LIMIT } from '../tokens/testing/api-client';

/**
 * Attacks on "no caller changes a user wider than itself, nor makes one": a user admin taking over
 * the org admin through PATCH users/:id, a limited token minting a limitless user. Each of them
 * succeeded before the rule was wired into the routes.
 */
describe('users: no caller acts on or produces a user wider than itself', () => {
  let t: TestApp;
  let admin: ReturnType<typeof as>;
  let adminId: string;
  let allPermissions: RoleDto;
  let userAdmins: RoleDto;
  let attacker: ReturnType<typeof as>;
  let attackerId: string;

  const PASSWORD = 'a-long-password-1';

  beforeAll(async () => {
    t = await createTestApp({ env: WITHOUT_FAILURE_LIMIT });
    admin = as(t, t.admin.token);
    adminId = ((await admin.get('/auth/me').expect(200)).body as { id: string }).id;
    const roles = (await admin.get('/roles').expect(200)).body as RoleDto[];
    allPermissions = roles.find((r) => r.name === 'All permissions') as RoleDto;
    userAdmins = (await admin.post('/roles', { name: 'User admins', permissions: ['users:read', 'users:write'] }).expect(201)).body as RoleDto;
    attackerId = (await newUser('attacker@tessera.test', userAdmins.id)).id;
    attacker = as(t, await t.login('attacker@tessera.test', PASSWORD));
  });

  afterAll(async () => {
    await t?.close();
  });

  async function newUser(email: string, roleId: string): Promise<UserDto> {
    return (await admin.post('/users', { email, displayName: email, password: PASSWORD, roleId }).expect(201)).body as UserDto;
  }
  const adminRow = async () =>
    ((await t.db.query(`SELECT password_hash, active, role_id, display_name, updated_at FROM users WHERE id = $1`, [adminId])) as unknown[])[0];
  const lastRefusal = async (actorId: string) =>
    (
      (await t.db.query(
        `SELECT action, target_id, reason FROM audit_events WHERE actor_id = $1 AND outcome = 'failure' ORDER BY seq DESC LIMIT 1`,
        [actorId],
      )) as unknown[]
    )[0];

  it.each([
    ['password', () => ({ password: 'attacker-chose-this-1' })],
    ['active', () => ({ active: false })],
    ['roleId', () => ({ roleId: userAdmins.id })],
    ['displayName', () => ({ displayName: 'Owned' })],
  ])("a users:read/users:write user cannot PATCH the admin's %s (403, nothing written, audited)", async (_field, body) => {
    const before = await adminRow();
    const res = await attacker.patch(`/users/${adminId}`, body());
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.detail).toBe("The user is wider than the caller: permissions *:* beyond the caller's permissions");
    expect(await adminRow()).toEqual(before);
    expect(await lastRefusal(attackerId)).toEqual({ action: 'user.update', target_id: adminId, reason: 'wider_than_caller' });
    expect(JSON.stringify(await auditOf(t, adminId))).not.toContain('attacker-chose-this-1');
  });

  it('so the admin keeps logging in with its own password, and the attacker cannot', async () => {
    await t.login(t.admin.email, t.admin.password);
    await expect(t.login(t.admin.email, 'attacker-chose-this-1')).rejects.toThrow();
    await admin.get('/auth/me').expect(200);
  });

  it('cannot move a narrower user into a wider role (the new role must be covered)', async () => {
    const peer = await newUser('peer@tessera.test', userAdmins.id);
    const res = await attacker.patch(`/users/${peer.id}`, { roleId: allPermissions.id });
    expect(res.status).toBe(403);
    expect(res.body.detail).toBe("The user would be wider than the caller: permissions *:* beyond the caller's permissions");
    expect(res.body.errors).toEqual([{ field: 'roleId', message: "*:* beyond the caller's permissions" }]);
    expect(((await admin.get(`/users/${peer.id}`).expect(200)).body as UserDto).roleId).toBe(userAdmins.id);
  });

  it('changes users it covers (password, active, role) and its own password', async () => {
    const peer = await newUser('covered@tessera.test', userAdmins.id);
    const narrower = (await admin.post('/roles', { name: 'User readers', permissions: ['users:read'] }).expect(201)).body as RoleDto;
    await attacker.patch(`/users/${peer.id}`, { password: 'a-new-password-22' }).expect(200);
    await attacker.patch(`/users/${peer.id}`, { roleId: narrower.id }).expect(200);
    await attacker.patch(`/users/${peer.id}`, { active: false }).expect(200);
    await attacker.patch(`/users/${attackerId}`, { password: 'attacker-new-password-1', displayName: 'Still me' }).expect(200);
    await t.login('attacker@tessera.test', 'attacker-new-password-1');
  });

  it('a token with any limit cannot create a user (a user has none), nor change one', async () => {
    const fenced = (await admin.post('/tokens', aToken().withScopes('*:*').allowingIps('127.0.0.0/8', '::1').build()).expect(201)).body as {
      token: { id: string };
      secret: string;
    };
    const token = as(t, fenced.secret);
    const res = await token.post('/users', { email: 'minted@tessera.test', displayName: 'Minted', password: PASSWORD, roleId: allPermissions.id });
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/^The user would be wider than the caller: allowedIps allows any address/);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM users WHERE email = 'minted@tessera.test'`))[0].n).toBe(0);
    expect(await lastRefusal(fenced.token.id)).toEqual({ action: 'user.create', target_id: null, reason: 'wider_than_caller' });

    const peer = await newUser('token-target@tessera.test', userAdmins.id);
    expect((await token.patch(`/users/${peer.id}`, { password: 'token-chose-this-1' })).status).toBe(403);

    // A token without limits and with *:* is as wide as any user: it may.
    const unlimited = (await admin.post('/tokens', aToken().withScopes('*:*').build()).expect(201)).body as { secret: string };
    await as(t, unlimited.secret)
      .post('/users', { email: 'made-by-token@tessera.test', displayName: 'Made', password: PASSWORD, roleId: userAdmins.id })
      .expect(201);
  });
});
