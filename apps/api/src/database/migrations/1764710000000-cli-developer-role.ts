import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The built-in role "CLI developer" (seed 002) in every organization that lacks it: `@cli`, a tag
 * grant that means every catalog action tagged `cli`, expanded at each check (so actions tagged
 * later are granted without editing the role). A custom role already named so (any case) is
 * renamed "… (custom)" first: role names are unique per organization. New organizations get the
 * role from BUILTIN_ROLES. Reverting removes the built-in role where nothing holds it.
 */
export class CliDeveloperRole1764710000000 implements MigrationInterface {
  name = 'CliDeveloperRole1764710000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE roles SET name = name || ' (custom)', updated_at = now() WHERE NOT built_in AND name_lower = 'cli developer'`);
    await q.query(`
      INSERT INTO roles (organization_id, name, description, permissions, built_in)
      SELECT o.id, 'CLI developer', 'Every action tagged for command-line use (cli), now and later', ARRAY['@cli'], true
        FROM organizations o
       WHERE NOT EXISTS (SELECT 1 FROM roles r WHERE r.organization_id = o.id AND r.name_lower = 'cli developer')`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DELETE FROM roles r
       WHERE r.built_in AND r.name_lower = 'cli developer'
         AND NOT EXISTS (SELECT 1 FROM users u WHERE u.role_id = r.id)
         AND NOT EXISTS (SELECT 1 FROM tokens t WHERE t.role_id = r.id)
         AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.role_id = r.id)`);
  }
}
