import type { CreatedInvitationDto, InvitationDto, LoginResponseDto, MeDto, Page, RoleDto } from '@tessera/domain';
import { INVITATION_TTL_MS, secretFromFragment } from '@tessera/domain';
import { createTestApp, type TestApp, type TestOrg } from '../testing/test-app';
import { as, BASE } from '../tokens/testing/api-client';

/**
 * Invitations over HTTP (SPEC §8, seed 001), with the attacks on them: a used link, an expired
 * one, a link of another organization's withdrawn invitation, an inviter reaching for a wider role,
 * ids in other spellings, guessing secrets.
 */
describe('invitations over HTTP', () => {
  const start = new Date('2026-12-01T10:00:00Z');
  let t: TestApp;
  let admin: ReturnType<typeof as>;
  let readOnly: RoleDto;
  let allPermissions: RoleDto;
  let other: TestOrg;
  let otherReadOnly: RoleDto;

  const PASSWORD = 'a-long-password-1';
  const accept = (secret: unknown, displayName = 'New person', password = PASSWORD) =>
    t.http.post(`${BASE}/invitations/accept`).send({ secret, displayName, password });
  const secretOf = (created: CreatedInvitationDto): string => secretFromFragment(new URL(created.link).hash) as string;
  const invite = async (email: string, roleId = readOnly.id, by = admin): Promise<CreatedInvitationDto> =>
    (await by.post('/invitations', { email, roleId }).expect(201)).body as CreatedInvitationDto;

  beforeAll(async () => {
    // A low failure limit: the last test guesses secrets until it is slowed down.
    t = await createTestApp({ now: () => start, env: { AUTH_FAILURE_LIMIT: '25', AUTH_FAILURE_WINDOW_SECONDS: '3600' } });
    // API tokens without expiry: sessions last 3 hours, and these tests move the clock by days.
    const adminToken = (await as(t, t.admin.token).post('/tokens', { name: 'admin', scopes: ['*:*'] }).expect(201)).body as { secret: string };
    admin = as(t, adminToken.secret);
    const roles = (await admin.get('/roles').expect(200)).body as RoleDto[];
    readOnly = roles.find((r) => r.name === 'Read only') as RoleDto;
    allPermissions = roles.find((r) => r.name === 'All permissions') as RoleDto;
    other = await t.createOrg('Other org');
    const otherToken = (await as(t, other.token).post('/tokens', { name: 'admin', scopes: ['*:*'] }).expect(201)).body as { secret: string };
    other = { ...other, token: otherToken.secret };
    otherReadOnly = ((await as(t, other.token).get('/roles').expect(200)).body as RoleDto[]).find((r) => r.name === 'Read only') as RoleDto;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('invites by e-mail: 201 with the invitation and a single-use link; only a hash of the secret is stored', async () => {
    const res = await admin.post('/invitations', { email: '  Ada@Example.Test ', roleId: readOnly.id }).set('Origin', 'https://console.example.test');
    expect(res.status).toBe(201);
    const body = res.body as CreatedInvitationDto;
    expect(body.invitation).toMatchObject({ email: 'ada@example.test', roleId: readOnly.id, roleName: 'Read only', status: 'pending' });
    expect(body.invitation.expiresAt).toBe(new Date(start.getTime() + INVITATION_TTL_MS).toISOString());
    expect(body.emailed).toBe(false);
    expect(body.link).toMatch(/^https:\/\/console\.example\.test\/invitations\/accept#secret=tsi_[0-9A-Za-z]{46}$/);
    const secret = secretOf(body);
    const [row] = await t.db.query(`SELECT secret_hash FROM invitations WHERE id = $1`, [body.invitation.id]);
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    const everything = JSON.stringify(await t.db.query(`SELECT * FROM invitations`)) + JSON.stringify(await t.db.query(`SELECT * FROM audit_events`));
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(secret.slice(4, 30));
    const [audit] = await t.db.query(`SELECT action, outcome, details FROM audit_events WHERE target_id = $1`, [body.invitation.id]);
    expect(audit).toMatchObject({ action: 'invitation.create', outcome: 'success', details: { email: 'ada@example.test', roleName: 'Read only' } });
  });

  it('lists pending invitations, paged, and accepting creates the user in the role, logged in', async () => {
    const created = await invite('grace@example.test');
    const page = (await admin.get('/invitations?pageSize=1').expect(200)).body as Page<InvitationDto>;
    expect(page).toMatchObject({ total: 2, page: 1, pageSize: 1 });
    expect(page.items).toHaveLength(1);

    const res = await accept(secretOf(created), 'Grace Hopper');
    expect(res.status).toBe(201);
    const login = res.body as LoginResponseDto;
    expect(login.user).toMatchObject({ email: 'grace@example.test', displayName: 'Grace Hopper', roleId: readOnly.id, roleName: 'Read only' });
    expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
    const me = (await as(t, login.token).get('/auth/me').expect(200)).body as MeDto;
    expect(me).toMatchObject({ kind: 'user', email: 'grace@example.test', organization: { id: t.admin.organizationId }, permissions: ['*:read'] });
    await as(t, login.token).post('/tokens', { name: 'x', scopes: ['tokens:read'] }).expect(403);
    await t.login('grace@example.test', PASSWORD);
    const [stored] = await t.db.query(`SELECT password_hash FROM users WHERE email = 'grace@example.test'`);
    expect(stored.password_hash).toMatch(/^\$argon2id\$/);

    const listed = ((await admin.get('/invitations').expect(200)).body as Page<InvitationDto>).items.map((i) => i.email);
    expect(listed).not.toContain('grace@example.test');
    const actions = (await t.db.query(`SELECT action FROM audit_events WHERE target_id IN ($1, $2) ORDER BY seq`, [created.invitation.id, login.user.id])) as {
      action: string;
    }[];
    expect(actions.map((a) => a.action)).toEqual(['invitation.create', 'invitation.accept', 'user.create']);
  });

  it('a used link answers 410 problem+json the second time, and creates nobody', async () => {
    const created = await invite('once@example.test');
    await accept(secretOf(created)).expect(201);
    const again = await accept(secretOf(created), 'Someone else', 'another-password-2');
    expect(again.status).toBe(410);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.body).toMatchObject({ status: 410, title: 'Gone' });
    expect(again.body.detail).toMatch(/^This invitation link is broken/);
    await expect(t.login('once@example.test', 'another-password-2')).rejects.toThrow();
  });

  it('two accepts of one link at the same moment make one user', async () => {
    const created = await invite('race@example.test');
    const results = await Promise.all([accept(secretOf(created), 'A'), accept(secretOf(created), 'B')]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 410]);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM users WHERE email = 'race@example.test'`);
    expect(n).toBe(1);
  });

  it('expires 72 hours after sending: 410, listed as expired; Resend makes a new link and kills the old one', async () => {
    const created = await invite('late@example.test');
    t.setNow(new Date(start.getTime() + INVITATION_TTL_MS - 1000));
    expect(((await admin.get(`/invitations?status=pending`).expect(200)).body as Page<InvitationDto>).items.map((i) => i.email)).toContain(
      'late@example.test',
    );
    t.setNow(new Date(start.getTime() + INVITATION_TTL_MS));
    try {
      expect((await accept(secretOf(created))).status).toBe(410);
      const expired = ((await admin.get(`/invitations?status=expired`).expect(200)).body as Page<InvitationDto>).items;
      expect(expired.find((i) => i.id === created.invitation.id)?.status).toBe('expired');

      const resent = (await admin.post(`/invitations/${created.invitation.id}/resend`).expect(200)).body as CreatedInvitationDto;
      expect(resent.invitation).toMatchObject({ id: created.invitation.id, status: 'pending' });
      expect(Date.parse(resent.invitation.expiresAt)).toBe(start.getTime() + 2 * INVITATION_TTL_MS);
      expect(secretOf(resent)).not.toBe(secretOf(created));
      expect((await accept(secretOf(created))).status).toBe(410);
      await accept(secretOf(resent), 'Late').expect(201);
      expect((await t.db.query(`SELECT action FROM audit_events WHERE target_id = $1 AND outcome = 'success' ORDER BY seq`, [created.invitation.id])).map((r: { action: string }) => r.action)).toEqual([
        'invitation.create',
        'invitation.resend',
        'invitation.accept',
      ]);
    } finally {
      t.setNow(start);
    }
  });

  it('a withdrawn (deleted) invitation answers 410, also to a link of another organization', async () => {
    const theirs = await invite('theirs@example.test', otherReadOnly.id, as(t, other.token));
    const ours = await invite('ours@example.test');
    await admin.delete(`/invitations/${ours.invitation.id}`).expect(204);
    expect((await accept(secretOf(ours))).status).toBe(410);

    // Another organization's admin cannot see, resend or withdraw ours, in any spelling of the id.
    const ours2 = await invite('ours2@example.test');
    const outsider = as(t, other.token);
    expect((await outsider.delete(`/invitations/${ours2.invitation.id}`)).status).toBe(404);
    expect((await outsider.delete(`/invitations/${ours2.invitation.id.toUpperCase()}`)).status).toBe(404);
    expect((await outsider.post(`/invitations/${ours2.invitation.id.toUpperCase()}/resend`)).status).toBe(404);
    expect(((await outsider.get('/invitations').expect(200)).body as Page<InvitationDto>).items.map((i) => i.email)).toEqual(['theirs@example.test']);

    await outsider.delete(`/invitations/${theirs.invitation.id.toUpperCase()}`).expect(204);
    const res = await accept(secretOf(theirs));
    expect(res.status).toBe(410);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM users WHERE email = 'theirs@example.test'`);
    expect(n).toBe(0);
    expect((await t.db.query(`SELECT action FROM audit_events WHERE target_id = $1 AND outcome = 'success' ORDER BY seq`, [theirs.invitation.id])).map((r: { action: string }) => r.action)).toEqual([
      'invitation.create',
      'invitation.delete',
    ]);
  });

  it('an upper-case id is the same invitation (resend works, answers the canonical id)', async () => {
    const created = await invite('upper@example.test');
    const resent = (await admin.post(`/invitations/${created.invitation.id.toUpperCase()}/resend`).expect(200)).body as CreatedInvitationDto;
    expect(resent.invitation.id).toBe(created.invitation.id);
    expect((await admin.post('/invitations/not-a-uuid/resend')).status).toBe(400);
  });

  it('an inviter never invites into a role wider than its own: 403, audited, nothing written', async () => {
    const userAdmins = (await admin.post('/roles', { name: 'User admins', permissions: ['users:read', 'users:write'] }).expect(201)).body as RoleDto;
    const narrow = await invite('narrow@example.test', userAdmins.id);
    const narrowSession = ((await accept(secretOf(narrow), 'Narrow').expect(201)).body as LoginResponseDto).token;
    const narrowAdmin = as(t, narrowSession);

    for (const roleId of [allPermissions.id, readOnly.id]) {
      const res = await narrowAdmin.post('/invitations', { email: 'escalate@example.test', roleId });
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'roleId' })]);
    }
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM invitations WHERE email = 'escalate@example.test'`);
    expect(n).toBe(0);
    const [refusal] = await t.db.query(
      `SELECT action, outcome, reason FROM audit_events WHERE actor_id = (SELECT id FROM users WHERE email = 'narrow@example.test') AND outcome = 'failure' ORDER BY seq DESC LIMIT 1`,
    );
    expect(refusal).toEqual({ action: 'invitation.create', outcome: 'failure', reason: 'wider_than_caller' });

    // Nor re-issues or withdraws an invitation into a wider role (it would hand out its secret).
    const wide = await invite('wide@example.test', allPermissions.id);
    expect((await narrowAdmin.post(`/invitations/${wide.invitation.id}/resend`)).status).toBe(403);
    expect((await narrowAdmin.delete(`/invitations/${wide.invitation.id}`)).status).toBe(403);
    // It may invite into a role it covers.
    await invite('peer@example.test', userAdmins.id, narrowAdmin);
    // A token with limits cannot invite (a user has none).
    const fenced = (await admin.post('/tokens', { name: 'fenced', scopes: ['*:*'], allowedIps: ['127.0.0.0/8', '::1'] }).expect(201)).body as { secret: string };
    expect((await as(t, fenced.secret).post('/invitations', { email: 'fenced@example.test', roleId: readOnly.id })).status).toBe(403);
  });

  it('one pending invitation per address; registered addresses are refused; an expired one gives way', async () => {
    await invite('dup@example.test');
    const dup = await admin.post('/invitations', { email: 'DUP@example.test', roleId: readOnly.id });
    expect(dup.status).toBe(409);
    expect(dup.body.errors).toEqual([{ field: 'email', message: 'is already invited' }]);
    // Another organization may invite the same address (unique per organization while pending).
    await invite('dup@example.test', otherReadOnly.id, as(t, other.token));
    const registered = await admin.post('/invitations', { email: t.admin.email.toUpperCase(), roleId: readOnly.id });
    expect(registered.status).toBe(409);
    expect(registered.body.errors).toEqual([expect.objectContaining({ field: 'email' })]);

    const old = await invite('again@example.test');
    t.setNow(new Date(start.getTime() + INVITATION_TTL_MS + 1));
    try {
      const fresh = await invite('again@example.test');
      expect(fresh.invitation.id).not.toBe(old.invitation.id);
      expect((await accept(secretOf(old))).status).toBe(410);
      await accept(secretOf(fresh)).expect(201);
    } finally {
      t.setNow(start);
    }
  });

  it('validates bodies naming each field, and an unknown or foreign role', async () => {
    const res = await admin.post('/invitations', { email: 'nope', roleId: 'x', admin: true });
    expect(res.status).toBe(400);
    expect((res.body.errors as { field: string }[]).map((e) => e.field)).toEqual(expect.arrayContaining(['email', 'roleId', 'admin']));
    const foreignRole = ((await as(t, other.token).get('/roles').expect(200)).body as RoleDto[])[0] as RoleDto;
    const foreign = await admin.post('/invitations', { email: 'foreign@example.test', roleId: foreignRole.id });
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors).toEqual([expect.objectContaining({ field: 'roleId' })]);
    const bad = await t.http.post(`${BASE}/invitations/accept`).send({ secret: 'x', displayName: '', password: 'short' });
    expect(bad.status).toBe(400);
    expect((bad.body.errors as { field: string }[]).map((e) => e.field)).toEqual(expect.arrayContaining(['displayName', 'password']));
  });

  it('needs users:read to list and users:write to invite', async () => {
    const reader = ((await accept(secretOf(await invite('reader@example.test')), 'Reader').expect(201)).body as LoginResponseDto).token;
    await as(t, reader).get('/invitations').expect(200);
    expect((await as(t, reader).post('/invitations', { email: 'x@example.test', roleId: readOnly.id })).status).toBe(403);
    expect((await t.http.get(`${BASE}/invitations`)).status).toBe(401);
  });

  it('guessing secrets is slowed down like failed logins (429 + Retry-After), and audited without the secret', async () => {
    const guess = 'tsi_' + 'A'.repeat(46);
    let last = await accept(guess);
    for (let i = 0; i < 40 && last.status === 410; i++) last = await accept(guess);
    expect(last.status).toBe(429);
    expect(last.headers['retry-after']).toMatch(/^\d+$/);
    await t.flush();
    const rows = (await t.db.query(`SELECT reason, details FROM audit_events WHERE action = 'invitation.accept' AND outcome = 'failure'`)) as {
      reason: string;
    }[];
    expect(new Set(rows.map((r) => r.reason))).toEqual(new Set(['malformed', 'accepted', 'expired', 'unknown']));
    expect(JSON.stringify(rows)).not.toContain(guess);
  });
});
