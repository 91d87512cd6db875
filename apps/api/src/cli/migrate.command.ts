import type { DataSource } from 'typeorm';
import { recordCliAudit } from './cli-audit';

export const MIGRATE_ACTION = 'database.migrate';

/**
 * Applies pending migrations (all in one transaction, as at api start) and records it in the
 * audit trail (organization-less rows are shown to the first organization). Returns what it applied.
 */
export async function migrateCommand(dataSource: DataSource, out: (line: string) => void): Promise<string[]> {
  const ran = await dataSource.runMigrations({ transaction: 'all' });
  const applied = ran.map((m) => m.name);
  await recordCliAudit(dataSource.manager, { organizationId: null, action: MIGRATE_ACTION, details: { applied } }, new Date());
  if (applied.length === 0) out('The database schema is up to date: no migration to apply.');
  else out(`Applied ${applied.length} migration${applied.length === 1 ? '' : 's'}: ${applied.join(', ')}`);
  return applied;
}
