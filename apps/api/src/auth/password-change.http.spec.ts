import { auditRows, insertToken } from '../testing/fixtures';
import { bearer, createTestApp, type TestApp, type TestOrg } from '../testing/test-app';

const PASSWORD = '/api/v1/auth/password';
const ME = '/api/v1/auth/me';
const NEW_PASSWORD = 'a-brand-new-password-42';

describe('POST /auth/password (a signed-in user changes their own password)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { TRUST_PROXY: 'loopback', AUTH_FAILURE_LIMIT: '3', AUTH_FAILURE_WINDOW_SECONDS: '600', AUTH_ACCOUNT_FAILURE_LIMIT: '3' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const change = (token: string, body: unknown, ip = '198.51.100.1') =>
    t.http.post(PASSWORD).set(bearer(token)).set('X-Forwarded-For', ip).send(body as object);
  const passwordHashOf = async (email: string) =>
    ((await t.db.query('SELECT password_hash FROM users WHERE email = $1', [email])) as { password_hash: string }[])[0]?.password_hash;
  const canLogIn = async (email: string, password: string) =>
    (await t.http.post('/api/v1/auth/login').send({ email, password })).status === 200;

  it('changes the password, ends the other sessions at once and keeps the current one', async () => {
    const user: TestOrg = await t.createOrg();
    const other = await t.login(user.email, user.password);
    expect((await t.http.get(ME).set(bearer(other))).status).toBe(200); // cached by the guard

    const res = await change(user.token, { currentPassword: user.password, newPassword: NEW_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ endedSessions: 1 });

    expect((await t.http.get(ME).set(bearer(other))).status).toBe(401);
    expect((await t.http.get(ME).set(bearer(user.token))).status).toBe(200);
    expect(await canLogIn(user.email, user.password)).toBe(false);
    expect(await canLogIn(user.email, NEW_PASSWORD)).toBe(true);

    const rows = await auditRows(t, "action = 'auth.password.change' AND organization_id = $1", [user.organizationId]);
    expect(rows).toEqual([expect.objectContaining({ outcome: 'success', details: { endedSessions: 1 } })]);
    const raw = JSON.stringify(await t.db.query('SELECT * FROM audit_events WHERE organization_id = $1', [user.organizationId]));
    expect(raw).not.toContain(NEW_PASSWORD);
    expect(raw).not.toContain(user.password);
  });

  it('refuses a wrong current password with 400 naming currentPassword, changes nothing, audits the failure', async () => {
    const user = await t.createOrg();
    const other = await t.login(user.email, user.password);
    const res = await change(user.token, { currentPassword: 'not-my-password-1', newPassword: NEW_PASSWORD }, '198.51.100.2');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.errors).toEqual([{ field: 'currentPassword', message: 'is not your current password' }]);
    expect(await canLogIn(user.email, user.password)).toBe(true);
    expect((await t.http.get(ME).set(bearer(other))).status).toBe(200);
    await t.flush();
    const rows = await auditRows(t, "action = 'auth.password.change' AND organization_id = $1", [user.organizationId]);
    expect(rows).toEqual([expect.objectContaining({ outcome: 'failure', reason: 'wrong_password', ip: '198.51.100.2' })]);
    expect(JSON.stringify(rows)).not.toContain('not-my-password-1');
  });

  it('counts wrong current passwords as failed authentications: a guesser is slowed down (429), even with the right one next', async () => {
    const user = await t.createOrg();
    const ip = '198.51.100.3';
    for (let i = 0; i < 3; i++) {
      expect((await change(user.token, { currentPassword: `guess-number-${i}`, newPassword: NEW_PASSWORD }, ip)).status).toBe(400);
    }
    const hashBefore = await passwordHashOf(user.email);
    const limited = await change(user.token, { currentPassword: user.password, newPassword: NEW_PASSWORD }, ip);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(await passwordHashOf(user.email)).toBe(hashBefore);
  });

  it('counts wrong current passwords against the account too: guesses from rotating addresses lock its login (429)', async () => {
    const user = await t.createOrg();
    for (let i = 0; i < 3; i++) {
      expect((await change(user.token, { currentPassword: `guess-number-${i}`, newPassword: NEW_PASSWORD }, `198.51.100.${20 + i}`)).status).toBe(400);
    }
    const login = await t.http.post('/api/v1/auth/login').set('X-Forwarded-For', '203.0.113.99').send({ email: user.email, password: user.password });
    expect(login.status).toBe(429);
    const again = await change(user.token, { currentPassword: user.password, newPassword: NEW_PASSWORD }, '198.51.100.30');
    expect(again.status).toBe(429);
    expect(again.body.detail).toBe('Too many failed logins for this account');
  });

  it('holds the new password to the strength rule of a new user (400 naming newPassword), and refuses the same password again', async () => {
    const user = await t.createOrg();
    const weak = await change(user.token, { currentPassword: user.password, newPassword: 'short-pw' }, '198.51.100.4');
    expect(weak.status).toBe(400);
    expect(weak.body.errors).toEqual([{ field: 'newPassword', message: 'Password must be at least 12 characters' }]);
    const same = await change(user.token, { currentPassword: user.password, newPassword: user.password }, '198.51.100.4');
    expect(same.status).toBe(400);
    expect(same.body.errors).toEqual([{ field: 'newPassword', message: 'New password must differ from the current one' }]);
    expect(await canLogIn(user.email, user.password)).toBe(true);
  });

  it("cannot name another user: the body takes no user, so the admin's password stays", async () => {
    const user = await t.createOrg();
    const res = await change(user.token, { currentPassword: user.password, newPassword: NEW_PASSWORD, email: t.admin.email }, '198.51.100.5');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'email' })]);
    expect(await canLogIn(t.admin.email, t.admin.password)).toBe(true);
    expect(await canLogIn(user.email, user.password)).toBe(true);
  });

  it('refuses an API token, even one with every permission (403 + audit row): a token never changes a password', async () => {
    const token = await insertToken(t, { scopes: ['*:*'] });
    const res = await change(token.secret, { currentPassword: t.admin.password, newPassword: NEW_PASSWORD }, '198.51.100.6');
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/session/);
    expect(await canLogIn(t.admin.email, t.admin.password)).toBe(true);
    await t.flush();
    const rows = await auditRows(t, "action = 'auth.password.change' AND actor_id = $1", [token.id]);
    expect(rows).toEqual([expect.objectContaining({ outcome: 'failure', reason: 'not_a_session' })]);
  });

  it('refuses an ended session (401) and a request without one', async () => {
    const user = await t.createOrg();
    expect((await t.http.post('/api/v1/auth/logout').set(bearer(user.token))).status).toBe(204);
    expect((await change(user.token, { currentPassword: user.password, newPassword: NEW_PASSWORD }, '198.51.100.7')).status).toBe(401);
    expect((await t.http.post(PASSWORD).send({ currentPassword: user.password, newPassword: NEW_PASSWORD })).status).toBe(401);
    expect(await canLogIn(user.email, user.password)).toBe(true);
  });
});
