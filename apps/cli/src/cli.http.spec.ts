// The CLI against a real Tessera: the api's test harness (real Nest app, real PostgreSQL) in this
// jest worker, the CLI run in process (run()) and, for the process-level contract, as `tessera`
// through bin/tessera.mjs in a child process.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { TesseraClient, type TokenDto } from '@tessera/client';
import { isWellFormedTokenSecret } from '@tessera/domain';
import { createTestApp, type TestApp } from '../../api/src/testing/test-app';
import { run } from './cli';
import { configFile } from './config-store';
import { EXIT } from './exit-codes';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const root = resolve(__dirname, '../../..');

describe('tessera CLI against a real Tessera', () => {
  let t: TestApp;
  let home: string;
  let admin: TesseraClient;

  /** `tessera <args>` in process, with its own config dir and no terminal. */
  async function tessera(args: string[], options: { env?: Record<string, string>; stdin?: string; signal?: AbortSignal } = {}): Promise<Result> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await run(args, {
      stdout,
      stderr,
      stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
      env: { XDG_CONFIG_HOME: home, TESSERA_URL: t.url, HOME: home, ...options.env },
      ...(options.signal ? { signal: options.signal } : {}),
      sleep: (ms, signal) => new Promise((r) => { const timer = setTimeout(r, Math.min(ms, 100)); signal?.addEventListener('abort', () => { clearTimeout(timer); r(); }); }),
    });
    return { code, stdout: out, stderr: err };
  }

  /** Every file under `dir`, for "the secret is on no disk we wrote to". */
  async function filesUnder(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { withFileTypes: true, recursive: true });
    return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  }

  async function onDisk(secret: string, dirs: string[]): Promise<string[]> {
    const hits: string[] = [];
    for (const dir of dirs) for (const f of await filesUnder(dir)) if ((await readFile(f, 'utf8')).includes(secret)) hits.push(f);
    return hits;
  }

  const login = () => tessera(['login', '--email', t.admin.email, '--password-stdin'], { stdin: `${t.admin.password}\n` });

  beforeAll(async () => {
    t = await createTestApp();
    admin = new TesseraClient({ url: t.url, credential: t.admin.token });
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'tessera-cli-home-'));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('logs in, keeps only the session in a 0600 file of a 0700 directory, and acts as the user', async () => {
    const result = await login();
    expect(result).toMatchObject({ code: EXIT.ok, stdout: '' });
    expect(result.stderr).toContain(`Logged in to ${t.url} as ${t.admin.email}`);
    const file = configFile({ XDG_CONFIG_HOME: home });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, 'tessera'))).mode & 0o777).toBe(0o700);
    const text = await readFile(file, 'utf8');
    expect(text).toMatch(/"token": "tss_/);
    expect(text).not.toContain(t.admin.password);

    const me = await tessera(['whoami', '--json']);
    expect(me.code).toBe(EXIT.ok);
    expect(JSON.parse(me.stdout)).toMatchObject({ kind: 'user', email: t.admin.email });
  });

  it('refuses a wrong password with exit 2 and writes no config', async () => {
    const result = await tessera(['login', '--email', t.admin.email, '--password-stdin'], { stdin: 'wrong-password-123' });
    expect(result.code).toBe(EXIT.auth);
    expect(result.stderr).toContain('Wrong email or password');
    await expect(stat(configFile({ XDG_CONFIG_HOME: home }))).rejects.toThrow(/ENOENT/);
  });

  it('creates a token: the secret is printed once on stdout, alone, and written nowhere', async () => {
    expect((await login()).code).toBe(EXIT.ok);
    const result = await tessera(['tokens', 'create', '--name', 'cli deploys', '--scope', 'tokens:read,audit:read', '--allow-ip', '10.0.0.0/8', '--expires', '30d']);
    expect(result.code).toBe(EXIT.ok);
    const secret = result.stdout.trim();
    expect(result.stdout).toBe(`${secret}\n`);
    expect(isWellFormedTokenSecret(secret)).toBe(true);
    expect(result.stderr).toContain('shown only once');
    expect(result.stderr).not.toContain(secret);
    expect(await onDisk(secret, [home])).toEqual([]);

    const token = (await admin.tokens.list({ q: 'cli deploys' })).items[0] as TokenDto;
    expect(token).toMatchObject({ scopes: ['tokens:read', 'audit:read'], allowedIps: ['10.0.0.0/8'] });
    expect(Date.parse(token.validTo ?? '') - Date.now()).toBeGreaterThan(29 * 86400_000);
    expect(token.hint).toBe(`${secret.slice(0, 8)}…${secret.slice(-4)}`);
  });

  it('writes the secret to --out FILE (mode 0600) instead of stdout, and never over an existing file', async () => {
    expect((await login()).code).toBe(EXIT.ok);
    const out = join(home, 'secret.txt');
    const result = await tessera(['tokens', 'create', '--name', 'cli to file', '--scope', 'tokens:read', '--out', out]);
    expect(result).toMatchObject({ code: EXIT.ok, stdout: '' });
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const secret = (await readFile(out, 'utf8')).trim();
    expect(isWellFormedTokenSecret(secret)).toBe(true);
    expect(result.stderr).not.toContain(secret);

    await writeFile(out, 'keep me');
    const again = await tessera(['tokens', 'create', '--name', 'cli not created', '--scope', 'tokens:read', '--out', out]);
    expect(again.code).toBe(EXIT.usage);
    expect(again.stderr).toMatch(/exists/);
    expect(await readFile(out, 'utf8')).toBe('keep me');
    expect((await admin.tokens.list({ q: 'cli not created' })).total).toBe(0);

    const bad = await tessera(['tokens', 'create', '--name', 'cli bad ip', '--allow-ip', '999.1.1.1', '--out', join(home, 'never.txt')]);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toMatch(/allowedIps\.0/);
    await expect(stat(join(home, 'never.txt'))).rejects.toThrow(/ENOENT/);
  });

  it('lists as JSON and as tab-separated rows, shows by name or id, and edits with If-Match', async () => {
    expect((await login()).code).toBe(EXIT.ok);
    const { token } = await admin.tokens.create({ name: 'cli listed', scopes: ['audit:read'] });

    const json = await tessera(['tokens', 'list', '--json', '--query', 'cli listed']);
    expect(json.code).toBe(EXIT.ok);
    const page = JSON.parse(json.stdout) as { items: TokenDto[]; total: number };
    expect(page.items.map((x) => x.id)).toEqual([token.id]);

    const plain = await tessera(['tokens', 'list', '--query', 'cli listed']);
    expect(plain.stdout.split('\n')[0]?.split('\t').slice(0, 4)).toEqual(['cli listed', token.id, 'active', 'audit:read']);

    const all = await tessera(['tokens', 'list', '--all', '--json', '--page-size', '1']);
    expect((JSON.parse(all.stdout) as { total: number }).total).toBe((await admin.tokens.list()).total);

    const byName = await tessera(['tokens', 'show', 'CLI LISTED', '--json']);
    expect(JSON.parse(byName.stdout)).toMatchObject({ id: token.id });
    const human = await tessera(['tokens', 'show', token.id]);
    expect(human.stdout).toMatch(/Permissions:\s+audit:read/);

    const edited = await tessera(['tokens', 'edit', 'cli listed', '--description', 'from the CLI', '--expires', 'never', '--json']);
    expect(edited.code).toBe(EXIT.ok);
    expect(JSON.parse(edited.stdout)).toMatchObject({ description: 'from the CLI', validTo: null, version: token.version + 1 });

    const invalid = await tessera(['tokens', 'edit', token.id, '--allow-origin', 'not an origin']);
    expect(invalid.code).toBe(EXIT.usage);
    expect(invalid.stderr).toMatch(/allowedOrigins\.0/);
    expect((await tessera(['tokens', 'edit', token.id])).code).toBe(EXIT.usage);
  });

  it('asks before revoke, regenerate and delete, and refuses without --yes when there is no terminal', async () => {
    expect((await login()).code).toBe(EXIT.ok);
    const { token } = await admin.tokens.create({ name: 'cli lifecycle', scopes: ['audit:read'] });

    const unconfirmed = await tessera(['tokens', 'revoke', token.id]);
    expect(unconfirmed.code).toBe(EXIT.usage);
    expect(unconfirmed.stderr).toMatch(/--yes/);
    expect((await admin.tokens.get(token.id)).status).toBe('active');

    const regenerated = await tessera(['tokens', 'regenerate', token.id, '--yes', '--json']);
    expect(regenerated.code).toBe(EXIT.ok);
    const { secret } = JSON.parse(regenerated.stdout) as { secret: string };
    expect(isWellFormedTokenSecret(secret)).toBe(true);
    expect(await onDisk(secret, [home])).toEqual([]);

    expect((await tessera(['tokens', 'deactivate', token.id])).code).toBe(EXIT.ok);
    expect((await tessera(['tokens', 'activate', token.id])).code).toBe(EXIT.ok);
    const revoked = await tessera(['tokens', 'revoke', token.id, '--yes', '--json']);
    expect(revoked.code).toBe(EXIT.ok);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ status: 'revoked' });
    expect((await tessera(['tokens', 'revoke', token.id, '--yes'])).code).toBe(EXIT.conflict);

    expect((await tessera(['tokens', 'delete', token.id, '--yes'])).code).toBe(EXIT.ok);
    const gone = await tessera(['tokens', 'show', token.id, '--json']);
    expect(gone.code).toBe(EXIT.notFound);
    expect(JSON.parse(gone.stderr)).toMatchObject({ error: { status: 404 }, exitCode: EXIT.notFound });
    expect((await tessera(['tokens', 'show', 'no such token name'])).code).toBe(EXIT.notFound);
  });

  it('exits 2 when not logged in, with an expired session or a refused token, and 4 without the permission', async () => {
    expect((await tessera(['tokens', 'list'])).code).toBe(EXIT.auth);
    expect((await tessera(['tokens', 'list'], { env: { TESSERA_TOKEN: `tsr_${'A'.repeat(46)}` } })).code).toBe(EXIT.auth);

    expect((await login()).code).toBe(EXIT.ok);
    const file = configFile({ XDG_CONFIG_HOME: home });
    const config = JSON.parse(await readFile(file, 'utf8')) as { sessions: Record<string, { expiresAt: string }> };
    for (const s of Object.values(config.sessions)) s.expiresAt = '2020-01-01T00:00:00.000Z';
    await writeFile(file, JSON.stringify(config), { mode: 0o600 });
    const expired = await tessera(['tokens', 'list']);
    expect(expired.code).toBe(EXIT.auth);
    expect(expired.stderr).toMatch(/expired/);

    const { secret } = await admin.tokens.create({ name: 'cli reader', scopes: ['tokens:read'] });
    const reader = { env: { TESSERA_TOKEN: secret } };
    expect((await tessera(['tokens', 'list', '--json'], reader)).code).toBe(EXIT.ok);
    const refused = await tessera(['tokens', 'create', '--name', 'cli wider', '--scope', 'tokens:read'], reader);
    expect(refused.code).toBe(EXIT.forbidden);
    expect(refused.stderr).toContain('tokens:write');
    expect((await tessera(['roles', 'list'], reader)).code).toBe(EXIT.forbidden);
  });

  it('lists roles', async () => {
    expect((await login()).code).toBe(EXIT.ok);
    const roles = await tessera(['roles', 'list', '--json']);
    expect(roles.code).toBe(EXIT.ok);
    expect((JSON.parse(roles.stdout) as { name: string }[]).map((r) => r.name)).toEqual(expect.arrayContaining(['All permissions', 'Read only']));
  });

  it('tails the audit log, oldest first, and follows new events until stopped', async () => {
    expect((await login()).code).toBe(EXIT.ok);
    await admin.tokens.create({ name: 'cli audited 1', scopes: ['audit:read'] });
    await admin.tokens.create({ name: 'cli audited 2', scopes: ['audit:read'] });
    const last = await tessera(['audit', 'tail', '-n', '2', '--action', 'token.create', '--json']);
    expect(last.code).toBe(EXIT.ok);
    const lines = last.stdout.trim().split('\n').map((l) => JSON.parse(l) as { targetName: string });
    expect(lines.map((e) => e.targetName)).toEqual(['cli audited 1', 'cli audited 2']);

    const stop = new AbortController();
    const following = tessera(['audit', 'tail', '-n', '0', '--follow', '--interval', '0.1', '--action', 'token.create', '--json'], { signal: stop.signal });
    await new Promise((r) => setTimeout(r, 300));
    await admin.tokens.create({ name: 'cli audited live', scopes: ['audit:read'] });
    // poll until the follower printed it (it polls every 100 ms), then stop it
    const seen = (async () => {
      for (let i = 0; i < 200; i++) {
        const events = await admin.audit.list({ action: 'token.create', pageSize: 1 });
        if (events.items[0]?.targetName === 'cli audited live') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 500));
      stop.abort();
    })();
    const [followed] = await Promise.all([following, seen]);
    expect(followed.code).toBe(EXIT.ok);
    const names = followed.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { targetName: string }).targetName);
    expect(names).toEqual(['cli audited live']);
  });

  it('logs out: the session ends on Tessera and leaves the config file', async () => {
    expect((await login()).code).toBe(EXIT.ok);
    const file = configFile({ XDG_CONFIG_HOME: home });
    const session = Object.values((JSON.parse(await readFile(file, 'utf8')) as { sessions: Record<string, { token: string }> }).sessions)[0]?.token ?? '';
    expect((await tessera(['logout'])).code).toBe(EXIT.ok);
    expect(await readFile(file, 'utf8')).not.toContain(session);
    await expect(new TesseraClient({ url: t.url, credential: session }).auth.me()).rejects.toMatchObject({ status: 401 });
    expect((await tessera(['tokens', 'list'])).code).toBe(EXIT.auth);
  });

  /**
   * `tessera <args>` on a real terminal: util-linux `script` gives it a pty. `answers` are typed
   * one by one, each once the output so far matches its prompt (never earlier, when the terminal
   * would still echo).
   */
  function onTerminal(args: string[], answers: [RegExp, string][], env: Record<string, string> = {}): Promise<Result> {
    const command = ['node', join(root, 'apps/cli/bin/tessera.mjs'), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env['PATH'] ?? '', HOME: home, XDG_CONFIG_HOME: home, TESSERA_URL: t.url, TESSERA_CLI_NO_BUILD: '1', TERM: 'xterm', ...env },
    });
    let out = '';
    const pending = [...answers];
    // cursor moves and colours between the prompt and the end of what was written so far
    const escapes = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const next = pending[0];
      if (next && next[0].test(out.replace(escapes, ''))) {
        pending.shift();
        child.stdin.write(`${next[1]}\r`);
      }
    });
    // a prompt that never comes must fail the test, not hang it
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    return new Promise((done) =>
      child.once('exit', (code) => {
        clearTimeout(timer);
        done({ code: code ?? -1, stdout: out, stderr: '' });
      }),
    );
  }

  (existsSync('/usr/bin/script') ? describe : describe.skip)('on a terminal (a pty through script)', () => {
    beforeAll(async () => {
      await new Promise<void>((done, fail) => execFile(process.execPath, [join(root, 'apps/cli/build.mjs')], (error) => (error ? fail(error) : done())));
    });

    it('asks for the password without echoing it, asks before revoking, and draws a coloured table', async () => {
      const login = await onTerminal(['login', '--email', t.admin.email], [[/Password: *$/, t.admin.password]]);
      expect(login.code).toBe(EXIT.ok);
      expect(login.stdout).not.toContain(t.admin.password);
      expect(login.stdout).toContain('Logged in');

      const { token } = await admin.tokens.create({ name: 'cli on a terminal', scopes: ['audit:read'] });
      const declined = await onTerminal(['tokens', 'revoke', token.id], [[/cannot be undone\. \[y\/N\] $/, 'n']]);
      expect(declined.code).toBe(EXIT.usage);
      expect((await admin.tokens.get(token.id)).status).toBe('active');
      const accepted = await onTerminal(['tokens', 'revoke', token.id], [[/\[y\/N\] $/, 'y']]);
      expect(accepted.code).toBe(EXIT.ok);
      expect((await admin.tokens.get(token.id)).status).toBe('revoked');

      const table = await onTerminal(['tokens', 'list', '-q', 'cli on a terminal'], []);
      expect(table.code).toBe(EXIT.ok);
      expect(table.stdout).toMatch(/NAME\s.*ID\s.*STATUS/);
      expect(table.stdout).toContain(`${String.fromCharCode(27)}[31mrevoked`);
      const plain = await onTerminal(['tokens', 'list', '-q', 'cli on a terminal'], [], { NO_COLOR: '1' });
      expect(plain.stdout).toMatch(/NAME\s.*ID\s.*STATUS/);
      expect(plain.stdout).not.toContain(String.fromCharCode(27));
    });
  });

  describe('as a process (bin/tessera.mjs)', () => {
    beforeAll(async () => {
      await new Promise<void>((done, fail) => execFile(process.execPath, [join(root, 'apps/cli/build.mjs')], (error) => (error ? fail(error) : done())));
    });

    function spawnTessera(args: string[], env: Record<string, string>): Promise<Result> {
      return new Promise((done) => {
        execFile(
          process.execPath,
          [join(root, 'apps/cli/bin/tessera.mjs'), ...args],
          { env: { PATH: process.env['PATH'] ?? '', HOME: home, XDG_CONFIG_HOME: home, TESSERA_URL: t.url, TESSERA_CLI_NO_BUILD: '1', ...env }, timeout: 30_000 },
          (error, stdout, stderr) => done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    }

    it('exits with the documented codes: 0, 2 (refused token), 3 (not found), 4 (forbidden), 1 (usage), 7 (unreachable)', async () => {
      const { secret } = await admin.tokens.create({ name: 'cli process reader', scopes: ['tokens:read'] });
      const ok = await spawnTessera(['tokens', 'list', '--json'], { TESSERA_TOKEN: secret });
      expect(ok.code).toBe(EXIT.ok);
      expect((JSON.parse(ok.stdout) as { total: number }).total).toBeGreaterThan(0);
      expect((await spawnTessera(['tokens', 'list'], { TESSERA_TOKEN: `tsr_${'B'.repeat(46)}` })).code).toBe(EXIT.auth);
      expect((await spawnTessera(['tokens', 'show', '00000000-0000-4000-8000-000000000000'], { TESSERA_TOKEN: secret })).code).toBe(EXIT.notFound);
      const { token: other } = await admin.tokens.create({ name: 'cli process other', scopes: ['audit:read'] });
      expect((await spawnTessera(['tokens', 'revoke', other.id, '--yes'], { TESSERA_TOKEN: secret })).code).toBe(EXIT.forbidden);
      expect((await admin.tokens.get(other.id)).status).toBe('active');
      expect((await spawnTessera(['tokens', 'frobnicate'], {})).code).toBe(EXIT.usage);
      expect((await spawnTessera(['tokens', 'list', '--url', 'http://127.0.0.1:1'], { TESSERA_TOKEN: secret })).code).toBe(EXIT.unavailable);
    });
  });
});
