import { DataSource } from 'typeorm';
import { createTestDatabase } from '../testing/test-app';
import { MIGRATIONS } from './migrations';
import { CliDeveloperRole1764710000000 } from './migrations/1764710000000-cli-developer-role';

describe('migration: the CLI developer role for existing organizations', () => {
  it('adds the built-in role to every organization, renaming a custom role of that name first', async () => {
    const database = await createTestDatabase();
    const before = MIGRATIONS.filter((m) => m !== CliDeveloperRole1764710000000);
    const ds = new DataSource({ type: 'postgres', url: database.url, migrations: before, logging: false });
    await ds.initialize();
    try {
      await ds.runMigrations();
      const [a] = await ds.query(`INSERT INTO organizations (name, is_root) VALUES ('A', true) RETURNING id`);
      const [b] = await ds.query(`INSERT INTO organizations (name, is_root) VALUES ('B', false) RETURNING id`);
      await ds.query(`INSERT INTO roles (organization_id, name, permissions) VALUES ($1, 'cli Developer', ARRAY['tokens:read'])`, [b.id]);
      await ds.destroy();

      const after = new DataSource({ type: 'postgres', url: database.url, migrations: MIGRATIONS, logging: false });
      await after.initialize();
      try {
        expect((await after.runMigrations()).map((m) => m.name)).toEqual(['CliDeveloperRole1764710000000']);
        const rows = (await after.query(`SELECT organization_id, name, permissions, built_in FROM roles ORDER BY organization_id, name`)) as {
          organization_id: string;
          name: string;
          permissions: string[];
          built_in: boolean;
        }[];
        const of = (org: string) => rows.filter((r) => r.organization_id === org).map((r) => [r.name, r.permissions, r.built_in]);
        expect(of(a.id)).toEqual([['CLI developer', ['@cli'], true]]);
        expect(of(b.id)).toEqual(
          expect.arrayContaining([
            ['CLI developer', ['@cli'], true],
            ['cli Developer (custom)', ['tokens:read'], false],
          ]),
        );
        await after.undoLastMigration();
        expect(((await after.query(`SELECT count(*)::int AS n FROM roles WHERE built_in`)) as { n: number }[])[0]?.n).toBe(0);
      } finally {
        await after.destroy();
      }
    } finally {
      if (ds.isInitialized) await ds.destroy();
      await database.drop();
    }
  });
});
