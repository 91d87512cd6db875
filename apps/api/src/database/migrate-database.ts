import { DataSource } from 'typeorm';
import { MIGRATIONS } from './migrations';
import { grantRuntimeRole, type RuntimeRole } from './runtime-role';

/** Held while one process migrates, so api instances starting together migrate one at a time. */
const MIGRATION_LOCK = 0x7e55e7a; // any constant bigint shared by every Tessera process

/**
 * Everything that needs the owner role, in one go on a connection of its own: applies pending
 * migrations (one transaction), then grants the runtime role exactly what it needs
 * (runtime-role.ts), every time, so tables added by later migrations are granted too. Under a
 * PostgreSQL advisory lock. The connection is closed afterwards; the api serves under the runtime
 * role. Returns the names of the migrations applied.
 */
export async function migrateDatabase(ownerUrl: string, runtime: RuntimeRole | null): Promise<string[]> {
  const owner = new DataSource({
    type: 'postgres',
    url: ownerUrl,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'all',
    extra: { max: 2, application_name: 'tessera-migrate', connectionTimeoutMillis: 3_000 },
  });
  await owner.initialize();
  const lock = owner.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await owner.runMigrations({ transaction: 'all' });
    if (runtime) {
      await lock.startTransaction();
      try {
        await grantRuntimeRole(lock, runtime);
        await lock.commitTransaction();
      } catch (err) {
        await lock.rollbackTransaction();
        throw err;
      }
    }
    return applied.map((m) => m.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.release();
    await owner.destroy();
  }
}
