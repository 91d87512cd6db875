import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operator commands (`npm run tessera -- reset-password | migrate`) are audited with actor kind
 * `cli` (no actor id, actor name `cli`). Reverting keeps rows already written (audit_events is
 * append-only): the old rule comes back NOT VALID, so it holds for new rows only.
 */
export class AuditCliActor1764600000000 implements MigrationInterface {
  name = 'AuditCliActor1764600000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_events DROP CONSTRAINT IF EXISTS audit_events_actor_kind_check`);
    await q.query(`ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_kind_check CHECK (actor_kind IN ('user', 'token', 'cli'))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_events DROP CONSTRAINT IF EXISTS audit_events_actor_kind_check`);
    await q.query(`ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_kind_check CHECK (actor_kind IN ('user', 'token')) NOT VALID`);
  }
}
