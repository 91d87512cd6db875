import { DataSource } from 'typeorm';
import { allEntities } from '../testing/entities';
import { createTestApp, createTestDatabase } from '../testing/test-app';
import { MIGRATIONS } from './migrations';

describe('migrations', () => {
  it('build the schema from an empty database, revert cleanly and run again', async () => {
    const database = await createTestDatabase();
    const ds = new DataSource({ type: 'postgres', url: database.url, entities: allEntities(), migrations: MIGRATIONS, logging: false });
    await ds.initialize();
    try {
      const tables = async () =>
        ((await ds.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")) as { table_name: string }[]).map(
          (r) => r.table_name,
        );
      expect(await tables()).toEqual([]);
      const ran = await ds.runMigrations({ transaction: 'all' });
      expect(ran).toHaveLength(MIGRATIONS.length);
      expect(await tables()).toEqual(
        expect.arrayContaining(['audit_events', 'org_ip_allowlist_entries', 'organizations', 'roles', 'sessions', 'tokens', 'users', 'invitations']),
      );

      // every time column is timestamptz
      const plainTimestamps = (await ds.query(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND data_type = 'timestamp without time zone'",
      )) as unknown[];
      expect(plainTimestamps).toEqual([]);

      // every entity column exists in the migrated schema
      const columns = new Set(
        ((await ds.query("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'")) as {
          table_name: string;
          column_name: string;
        }[]).map((c) => `${c.table_name}.${c.column_name}`),
      );
      const missing = ds.entityMetadatas.flatMap((m) => m.columns.map((c) => `${m.tableName}.${c.databaseName}`)).filter((n) => !columns.has(n));
      expect(missing).toEqual([]);

      for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration();
      expect((await tables()).filter((n) => n !== 'migrations')).toEqual([]);
      await ds.runMigrations();
      expect(await tables()).toContain('tokens');
    } finally {
      await ds.destroy();
      await database.drop();
    }
  });

  it('are matched by the app: every entity file is registered by its feature module (forFeature)', async () => {
    const entities = allEntities().map((e) => e.name).sort();
    expect(entities).toEqual(['AuditEvent', 'Invitation', 'OrgIpAllowlistEntry', 'Organization', 'Role', 'Session', 'Token', 'User']);
    const t = await createTestApp();
    try {
      expect(t.db.entityMetadatas.map((m) => m.name).sort()).toEqual(entities);
    } finally {
      await t.close();
    }
  });
});
