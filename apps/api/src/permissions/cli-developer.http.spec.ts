import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreatedTokenDto, MeDto, PermissionCatalogDto, RoleDto, TokenDto } from '@tessera/domain';
import { createTestApp, type TestApp } from '../testing/test-app';
import { as, WITHOUT_FAILURE_LIMIT } from '../tokens/testing/api-client';

/**
 * The built-in "CLI developer" role (seed 002): every catalog action tagged `cli`, including one a
 * deployment adds through PERMISSIONS_FILE, granted at every check without editing the role.
 */
describe('the CLI developer role', () => {
  let t: TestApp;
  let admin: ReturnType<typeof as>;
  let cliDeveloper: RoleDto;
  const CLI = ['tokens:read', 'tokens:write', 'roles:read', 'audit:read', 'deploys:push'];

  beforeAll(async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tessera-perms-')), 'permissions.json');
    writeFileSync(
      path,
      JSON.stringify({ resources: [{ resource: 'deploys', description: 'Deployments', actions: ['read', 'push'], tags: { push: ['cli'] } }] }),
    );
    t = await createTestApp({ env: { ...WITHOUT_FAILURE_LIMIT, PERMISSIONS_FILE: path } });
    admin = as(t, t.admin.token);
    cliDeveloper = ((await admin.get('/roles').expect(200)).body as RoleDto[]).find((r) => r.name === 'CLI developer') as RoleDto;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('is a built-in, read-only role holding the cli tag grant; the catalog says which actions carry the tag', async () => {
    expect(cliDeveloper).toMatchObject({ builtIn: true, permissions: ['@cli'] });
    const catalog = (await admin.get('/permissions').expect(200)).body as PermissionCatalogDto;
    expect(catalog.resources.find((r) => r.resource === 'tokens')?.tags).toEqual({ read: ['cli'], write: ['cli'] });
    expect(catalog.resources.find((r) => r.resource === 'deploys')?.tags).toEqual({ push: ['cli'] });
    expect((await admin.patch(`/roles/${cliDeveloper.id}`, { permissions: ['*:*'] })).status).toBe(409);
    expect((await admin.delete(`/roles/${cliDeveloper.id}`)).status).toBe(409);
    // Nobody writes a tag grant into a role or a token by hand.
    expect((await admin.post('/roles', { name: 'Sneaky', permissions: ['@cli'] })).status).toBe(400);
    expect((await admin.post('/tokens', { name: 'sneaky', scopes: ['@cli'] })).status).toBe(400);
  });

  it("a token with the role holds every cli action, the deployment's included, and nothing else", async () => {
    const created = (await admin.post('/tokens', { name: 'laptop', roleId: cliDeveloper.id }).expect(201)).body as CreatedTokenDto;
    expect(new Set(created.token.permissions)).toEqual(new Set(CLI));
    const cli = as(t, created.secret);
    await cli.get('/tokens').expect(200);
    await cli.get('/roles').expect(200);
    await cli.get('/audit').expect(200);
    await cli.post('/tokens', { name: 'from the cli', scopes: ['tokens:read'] }).expect(201);
    const users = await cli.get('/users');
    expect(users.status).toBe(403);
    expect(users.headers['www-authenticate']).toContain('scope="users:read"');

    const explain = async (permission: string) =>
      ((await admin.post('/access/explain', { tokenId: created.token.id, method: 'POST', path: '/deploys', ip: '127.0.0.1', permission }).expect(200))
        .body as { allowed: boolean }).allowed;
    expect(await explain('deploys:push')).toBe(true);
    expect(await explain('deploys:read')).toBe(false);

    const introspected = (await admin.post('/introspect', { token: created.secret }).expect(200)).body as { scope: string };
    expect(new Set(introspected.scope.split(' '))).toEqual(new Set(CLI));

    const byScope = async (scope: string) =>
      ((await admin.get(`/tokens?scope=${scope}`).expect(200)).body as { items: TokenDto[] }).items.map((x) => x.name);
    expect(await byScope('deploys:push')).toContain('laptop');
    expect(await byScope('tokens:write')).toContain('laptop');
    expect(await byScope('deploys:read')).not.toContain('laptop');
  });

  it('a user in the role is expanded the same way (auth/me)', async () => {
    await admin.post('/users', { email: 'dev@example.test', displayName: 'Dev', password: 'a-long-password-1', roleId: cliDeveloper.id }).expect(201);
    const me = (await as(t, await t.login('dev@example.test', 'a-long-password-1')).get('/auth/me').expect(200)).body as MeDto;
    expect(new Set(me.permissions)).toEqual(new Set(CLI));
  });

  it('only a caller holding every cli action may hand the role out (the later-added one counts)', async () => {
    const almost = (await admin
      .post('/roles', { name: 'Almost', permissions: ['tokens:*', 'roles:read', 'audit:read', 'users:read', 'users:write'] })
      .expect(201)).body as RoleDto;
    await admin.post('/users', { email: 'almost@example.test', displayName: 'Almost', password: 'a-long-password-1', roleId: almost.id }).expect(201);
    const almostAdmin = as(t, await t.login('almost@example.test', 'a-long-password-1'));
    for (const [path, body] of [
      ['/users', { email: 'x1@example.test', displayName: 'X', password: 'a-long-password-1', roleId: cliDeveloper.id }],
      ['/invitations', { email: 'x2@example.test', roleId: cliDeveloper.id }],
      ['/tokens', { name: 'x3', roleId: cliDeveloper.id }],
    ] as const) {
      const res = await almostAdmin.post(path, body);
      expect(res.status).toBe(403);
      expect(res.body.detail).toContain('deploys:push');
    }
    const withPush = (await admin.post('/roles', { name: 'With push', permissions: ['tokens:*', 'roles:read', 'audit:read', 'users:*', 'deploys:push'] }).expect(201))
      .body as RoleDto;
    await admin.patch(`/users/${((await admin.get('/users').expect(200)).body as { id: string; email: string }[]).find((u) => u.email === 'almost@example.test')?.id}`, {
      roleId: withPush.id,
    }).expect(200);
    const nowCovers = as(t, await t.login('almost@example.test', 'a-long-password-1'));
    await nowCovers.post('/invitations', { email: 'x2@example.test', roleId: cliDeveloper.id }).expect(201);
  });
});
