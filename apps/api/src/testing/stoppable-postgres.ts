import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { Client } from 'pg';

/** A PostgreSQL server of one test file that the test stops and starts again (an outage). */
export interface StoppablePostgres {
  /** postgres://…/<database> on this server. */
  url(database?: string): string;
  createDatabase(name: string): Promise<void>;
  /** Fast shutdown (SIGINT, like `pg_ctl stop -m fast`): connections are cut, the data stays. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its data. */
  destroy(): Promise<void>;
}

/**
 * Starts a throw-away embedded PostgreSQL (temp dir, 127.0.0.1, free port) in a child process of
 * its own (stoppable-postgres.mjs). Unlike the harness's server, shared by every file of a jest
 * worker, this one may be stopped. Always `await pg.destroy()`.
 */
export async function startStoppablePostgres(): Promise<StoppablePostgres> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [join(__dirname, 'stoppable-postgres.mjs')], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr.resume();
  const lines: Interface = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = (): Promise<string> => new Promise((resolve) => waiting.push(resolve));
  const command = async (cmd: string, expected: string): Promise<void> => {
    const answer = next();
    child.stdin.write(`${cmd}\n`);
    const line = await answer;
    if (line !== expected) throw new Error(`stoppable PostgreSQL: ${cmd} → ${line}`);
  };

  const first = await next();
  const match = /^ready (\d+)$/.exec(first);
  if (!match) {
    child.kill();
    throw new Error(`stoppable PostgreSQL did not start: ${first}`);
  }
  const port = Number(match[1]);
  const url = (database = 'postgres') => `postgres://postgres:postgres@127.0.0.1:${port}/${database}`;
  let destroyed = false;
  return {
    url,
    async createDatabase(name: string) {
      const client = new Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
    },
    stop: () => command('stop', 'stopped'),
    start: () => command('start', 'started'),
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end('exit\n');
      await exited;
    },
  };
}
