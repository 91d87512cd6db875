import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

/**
 * Runs a write of a write-behind buffer (usage data, refused-authentication audit rows). While the
 * app runs it uses the pool; during shutdown the pool may already be closed (Nest does not order
 * TypeORM's shutdown hook after ours: both modules are global), so the final flush then opens a
 * connection of its own. Nothing buffered is lost on a clean stop.
 */
export async function writeEvenWhenClosing(dataSource: DataSource, sql: string, params: unknown[]): Promise<void> {
  if (dataSource.isInitialized) {
    await dataSource.query(sql, params);
    return;
  }
  const url = (dataSource.options as PostgresConnectionOptions).url;
  if (!url) throw new Error('the database connection is closed');
  const client = new Client({
    connectionString: url,
    application_name: 'tessera-final-flush',
  });
  await client.connect();
  try {
    await client.query(sql, params);
  } finally {
    await client.end();
  }
}
