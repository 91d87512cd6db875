// @tessera/client against the real app (the client's integration tests live here, beside the
// api's harness: libs/client cannot import an app's test harness without depending on the app).
import { TesseraClient, TesseraConnectionError, TesseraProblem, type TokenDto } from '@tessera/client';
import { secretFromFragment } from '@tessera/domain';
import { createServer } from 'node:net';
import { createTestApp, type TestApp } from '../testing/test-app';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function problemOf(promise: Promise<unknown>): Promise<TesseraProblem> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TesseraProblem)) throw new Error(`expected a TesseraProblem, got ${String(err)}`);
  return err;
}

describe('@tessera/client against the real api', () => {
  let t: TestApp;
  let admin: TesseraClient;

  beforeAll(async () => {
    t = await createTestApp();
    admin = new TesseraClient({ url: t.url, credential: t.admin.token });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('logs in with a password and acts with the session it answered', async () => {
    const { client, session } = await TesseraClient.login({ url: `${t.url}/api/v1/` }, { email: t.admin.email, password: t.admin.password });
    expect(session.token).toMatch(/^tss_/);
    const me = await client.auth.me();
    expect(me).toMatchObject({ kind: 'user', email: t.admin.email, organization: { id: t.admin.organizationId } });
    const sessions = await client.auth.sessions();
    expect(sessions.items.some((s) => s.current)).toBe(true);
    await client.auth.logout();
    const after = await problemOf(client.auth.me());
    expect(after).toMatchObject({ status: 401, bearerError: 'invalid_token' });
  });

  it('a wrong password is a 401 problem, and the password is in no part of it', async () => {
    const err = await problemOf(TesseraClient.login({ url: t.url }, { email: t.admin.email, password: 'not-the-password-123' }));
    expect(err.status).toBe(401);
    expect(`${err.message} ${JSON.stringify(err)}`).not.toContain('not-the-password-123');
  });

  it('creates, reads, lists, edits (If-Match), regenerates, revokes and deletes a token', async () => {
    const created = await admin.tokens.create({ name: 'client lifecycle', scopes: ['tokens:read'], allowedIps: ['127.0.0.1'] });
    expect(created.secret).toMatch(/^tsr_/);
    const id = created.token.id;
    expect((await admin.tokens.get(id)).name).toBe('client lifecycle');
    const page = await admin.tokens.list({ q: 'lifecycle', pageSize: 5 });
    expect(page.items.map((x: TokenDto) => x.id)).toEqual([id]);

    const edited = await admin.tokens.update(id, { description: 'edited' }, { ifMatch: created.token.version });
    expect(edited.description).toBe('edited');
    const stale = await problemOf(admin.tokens.update(id, { description: 'lost update' }, { ifMatch: created.token.version }));
    expect(stale.status).toBe(412);

    const regenerated = await admin.tokens.regenerate(id, { graceSeconds: 0 });
    expect(regenerated.secret).not.toBe(created.secret);
    expect((await admin.tokens.deactivate(id)).status).toBe('inactive');
    expect((await admin.tokens.activate(id)).status).toBe('active');
    expect((await admin.tokens.revoke(id)).status).toBe('revoked');
    await admin.tokens.delete(id);
    const gone = await problemOf(admin.tokens.get(id));
    expect(gone).toMatchObject({ status: 404, method: 'GET', path: `/api/v1/tokens/${id}` });
  });

  it('names every bad field of a refused body', async () => {
    const err = await problemOf(admin.tokens.create({ name: '', scopes: ['not a permission'], allowedIps: ['300.1.1.1'] }));
    expect(err.status).toBe(400);
    expect(err.fields.map((f) => f.field).sort()).toEqual(['allowedIps.0', 'name', 'scopes.0']);
  });

  it('answers 401 for an unknown token and 403 naming the missing permission', async () => {
    const unknown = new TesseraClient({ url: t.url, credential: 'tsr_' + 'A'.repeat(46) });
    expect(await problemOf(unknown.auth.me())).toMatchObject({ status: 401 });
    const none = new TesseraClient({ url: t.url });
    expect(await problemOf(none.tokens.list())).toMatchObject({ status: 401 });

    const { secret } = await admin.tokens.create({ name: 'client reader', scopes: ['tokens:read'] });
    const reader = admin.withCredential(secret);
    expect((await reader.tokens.list()).total).toBeGreaterThan(0);
    const refused = await problemOf(reader.tokens.create({ name: 'wider', scopes: ['tokens:read'] }));
    expect(refused).toMatchObject({ status: 403, bearerError: 'insufficient_scope', scope: 'tokens:write' });
  });

  it('introspects a presented token for another service (RFC 7662)', async () => {
    const { secret: serviceSecret } = await admin.tokens.create({ name: 'orders service', scopes: ['tokens:introspect'] });
    const { token, secret } = await admin.tokens.create({ name: 'orders caller', scopes: ['orders:read'] });
    const service = new TesseraClient({ url: t.url, credential: () => serviceSecret });
    expect(await service.introspect(secret, { tokenTypeHint: 'access_token' })).toMatchObject({
      active: true,
      sub: token.id,
      scope: 'orders:read',
      token_type: 'bearer',
    });
    const request = { method: 'GET', path: '/orders', ip: '127.0.0.1' };
    expect((await service.introspect(secret, { request: { ...request, permission: 'orders:read' } })).decision).toEqual({ allowed: true });
    expect((await service.introspect(secret, { request: { ...request, permission: 'orders:write' } })).decision).toMatchObject({
      allowed: false,
      reason: 'missing_permission',
    });
    await admin.tokens.revoke(token.id);
    expect(await service.introspect(secret)).toEqual({ active: false });
    expect(await service.introspect('tsr_garbage')).toEqual({ active: false });
  });

  it('pages through every token with tokens.all', async () => {
    for (let i = 0; i < 5; i++) await admin.tokens.create({ name: `paged ${i}`, scopes: ['audit:read'] });
    const names: string[] = [];
    for await (const token of admin.tokens.all({ q: 'paged', pageSize: 2, sort: 'name' })) names.push(token.name);
    expect(names).toEqual(['paged 0', 'paged 1', 'paged 2', 'paged 3', 'paged 4']);
  });

  it('covers roles, permissions, users, organizations, the allowlist, audit, explain, health and metrics', async () => {
    const catalog = await admin.permissions.catalog();
    expect(catalog.resources.map((r) => r.resource)).toContain('tokens');

    const role = await admin.roles.create({ name: 'Client auditors', permissions: ['audit:read'] });
    expect((await admin.roles.get(role.id)).permissions).toEqual(['audit:read']);
    expect((await admin.roles.update(role.id, { description: 'reads the log' })).description).toBe('reads the log');
    expect((await admin.roles.list()).map((r) => r.name)).toEqual(expect.arrayContaining(['All permissions', 'Client auditors']));

    const user = await admin.users.create({ email: 'auditor@client.test', displayName: 'Auditor', password: 'auditor-password-1', roleId: role.id });
    expect((await admin.users.get(user.id)).roleName).toBe('Client auditors');
    expect((await admin.users.update(user.id, { active: false })).active).toBe(false);
    expect((await admin.users.list()).map((u) => u.email)).toContain('auditor@client.test');
    await admin.roles.delete((await admin.roles.create({ name: 'Unused', permissions: ['audit:read'] })).id);
    expect(await problemOf(admin.roles.delete(role.id))).toMatchObject({ status: 409 });

    const org = await admin.organizations.create({ name: 'Client Org', adminEmail: 'first@client-org.test' });
    expect(org.adminPassword).toEqual(expect.any(String));
    expect(org.admin.email).toBe('first@client-org.test');

    const allowlist = await admin.security.ipAllowlist();
    expect(allowlist.callerIp).toBe('127.0.0.1');
    const shut = await problemOf(admin.security.setIpAllowlist({ entries: [{ cidr: '203.0.113.0/24' }] }));
    expect(shut.status).toBe(409);
    expect((await admin.security.setIpAllowlist({ entries: [{ cidr: '127.0.0.1', note: 'me' }] })).entries).toEqual([{ cidr: '127.0.0.1', note: 'me' }]);
    await admin.security.setIpAllowlist({ entries: [] });

    const { token } = await admin.tokens.create({ name: 'explained', scopes: ['tokens:read'], allowedIps: ['10.0.0.0/8'] });
    const explained = await admin.access.explain({ tokenId: token.id, method: 'GET', path: '/api/v1/tokens', ip: '192.0.2.1' });
    expect(explained).toMatchObject({ allowed: false, status: 403 });

    const audit = await admin.audit.list({ action: 'token.create', pageSize: 3 });
    expect(audit.items.length).toBe(3);
    expect(audit.items.every((e) => e.action === 'token.create')).toBe(true);

    expect(await admin.health.live()).toEqual({ status: 'ok' });
    expect((await admin.health.ready()).status).toBe('ok');
    expect(await admin.metrics()).toContain('# TYPE');
  });

  it('invites a user by link, who accepts it without a credential and is logged in; a used link is gone (410)', async () => {
    const readOnly = (await admin.roles.list()).find((r) => r.name === 'Read only');
    const created = await admin.invitations.create({ email: 'invited@client.test', roleId: readOnly?.id ?? '' });
    expect(created.invitation).toMatchObject({ email: 'invited@client.test', status: 'pending' });
    expect((await admin.invitations.list({ status: 'pending' })).items.map((i) => i.id)).toContain(created.invitation.id);
    const resent = await admin.invitations.resend(created.invitation.id);
    expect(resent.link).not.toBe(created.link);
    const secret = secretFromFragment(new URL(resent.link).hash) ?? '';
    const anonymous = new TesseraClient({ url: t.url });
    const accepted = await anonymous.invitations.accept({ secret, displayName: 'Invited', password: 'invited-password-1' });
    expect(accepted.user.email).toBe('invited@client.test');
    expect(await problemOf(anonymous.invitations.accept({ secret, displayName: 'Again', password: 'invited-password-1' }))).toMatchObject({ status: 410 });
    const withdrawn = await admin.invitations.create({ email: 'withdrawn@client.test', roleId: readOnly?.id ?? '' });
    await admin.invitations.delete(withdrawn.invitation.id);
    expect((await admin.invitations.list()).items.map((i) => i.id)).not.toContain(withdrawn.invitation.id);
  });

  it('ends another session of the caller', async () => {
    const other = await t.login(t.admin.email, t.admin.password);
    const mine = new TesseraClient({ url: t.url, credential: other });
    const sessionId = (await mine.auth.me()).sessionId;
    expect(sessionId).toEqual(expect.any(String));
    await admin.auth.endSession(sessionId ?? '');
    expect(await problemOf(mine.auth.me())).toMatchObject({ status: 401 });
  });

  it('reports an unreachable Tessera as a connection error, not a problem', async () => {
    const port = await closedPort();
    const down = new TesseraClient({ url: `http://127.0.0.1:${port}`, credential: 'tsr_x' });
    const err = await down.auth.me().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TesseraConnectionError);
    expect(String((err as Error).message)).toContain(`127.0.0.1:${port}`);
  });
});
