import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the token list (GET /tokens) of organizations with many tokens:
 * - name keywords (`q`, LIKE '%word%' on name_lower) through a trigram GIN index that also holds
 *   organization_id (btree_gin), so one index scan finds an organization's matches;
 * - the sorts that have no index yet: last used (with its NULLS order) and expiry.
 * pg_trgm and btree_gin ship with PostgreSQL (contrib) and are trusted extensions (PostgreSQL 13+);
 * where they are not available the trigram index is skipped and keyword search scans the
 * organization's tokens instead (correct, only slower).
 */
export class TokenListIndexes1764100000000 implements MigrationInterface {
  name = 'TokenListIndexes1764100000000';

  public async up(q: QueryRunner): Promise<void> {
    const available: { n: number }[] = await q.query(
      `SELECT count(*)::int AS n FROM pg_available_extensions WHERE name IN ('pg_trgm', 'btree_gin')`,
    );
    if (available[0]?.n === 2) {
      await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
      await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gin`);
      await q.query(`CREATE INDEX ix_tokens_org_name_trgm ON tokens USING gin (organization_id, name_lower gin_trgm_ops)`);
    }
    await q.query(`CREATE INDEX ix_tokens_org_last_used ON tokens (organization_id, last_used_at DESC NULLS LAST)`);
    await q.query(`CREATE INDEX ix_tokens_org_valid_to ON tokens (organization_id, valid_to)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ix_tokens_org_valid_to`);
    await q.query(`DROP INDEX IF EXISTS ix_tokens_org_last_used`);
    await q.query(`DROP INDEX IF EXISTS ix_tokens_org_name_trgm`);
  }
}
