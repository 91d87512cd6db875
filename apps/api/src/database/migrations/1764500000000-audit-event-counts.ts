import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An audit row may stand for several events of the same kind (refusals summarised during a flood
 * or when the in-memory buffer of an outage is full): `count` events between `at` (the first) and
 * `last_at` (the last). Every existing row stands for one event. Adding columns with a constant
 * default rewrites nothing and fires no row trigger (audit_events stays append-only).
 */
export class AuditEventCounts1764500000000 implements MigrationInterface {
  name = 'AuditEventCounts1764500000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_events ADD COLUMN count integer NOT NULL DEFAULT 1 CHECK (count >= 1)`);
    await q.query(`ALTER TABLE audit_events ADD COLUMN last_at timestamptz`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_events DROP COLUMN last_at`);
    await q.query(`ALTER TABLE audit_events DROP COLUMN count`);
  }
}
