import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { AuditEvent } from '../audit/audit-event.entity';
import { Session } from '../auth/session.entity';
import type { AppConfig } from '../config/app-config';
import { startEmbeddedPostgres } from '../database/embedded-postgres';
import { MIGRATIONS } from '../database/migrations';
import { User } from '../users/user.entity';

export class CliError extends Error {}

export interface CliDatabase {
  dataSource: DataSource;
  /** Where it is, for messages: the DATABASE_URL host or the embedded data directory. */
  where: string;
  close(): Promise<void>;
}

/** The pid of a PostgreSQL already running on `dir` (its postmaster.pid names a live process), else null. */
export function runningPostgresPid(dir: string): number | null {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

/**
 * The database the api would use with this configuration: DATABASE_URL, else the embedded
 * PostgreSQL in `${DATA_DIR}/postgres` (started for the command, stopped after it). The embedded
 * one serves one process at a time: while Tessera runs on it, the command asks to stop it first.
 */
export async function openCliDatabase(config: AppConfig, log: (line: string) => void): Promise<CliDatabase> {
  let url = config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | null = null;
  let where: string;
  if (url === null) {
    const dir = resolve(join(config.dataDir, 'postgres'));
    where = `embedded PostgreSQL in ${dir}`;
    const pid = runningPostgresPid(dir);
    if (pid !== null) {
      throw new CliError(
        `The embedded PostgreSQL in ${dir} is in use (pid ${pid}): stop Tessera first, then run this command again ` +
          '(or set DATABASE_URL to reach a PostgreSQL server).',
      );
    }
    const embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, log);
    url = embedded.url;
    stopEmbedded = () => embedded.stop();
  } else {
    where = describeUrl(url);
  }
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    // What the commands read and write through TypeORM (the rest is SQL): the user whose password is
    // reset, the sessions that ends, the audit row.
    entities: [User, Session, AuditEvent],
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'all',
    synchronize: false,
    logging: false,
    extra: { max: 2, application_name: 'tessera-cli', connectionTimeoutMillis: 10_000 },
  });
  try {
    await dataSource.initialize();
  } catch (err) {
    await stopEmbedded?.();
    throw new CliError(`Cannot connect to ${where}: ${(err as Error).message}`);
  }
  return {
    dataSource,
    where,
    close: async () => {
      try {
        await dataSource.destroy();
      } finally {
        await stopEmbedded?.();
      }
    },
  };
}

/** host:port/database of a URL, never its password. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `PostgreSQL at ${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'PostgreSQL at DATABASE_URL';
  }
}
