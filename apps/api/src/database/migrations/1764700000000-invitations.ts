import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Invitations by link (SPEC §8, seed 001). Only the SHA-256 of a link's secret is kept. A role that
 * invitations name cannot be deleted (RESTRICT; the api answers 409).
 */
export class Invitations1764700000000 implements MigrationInterface {
  name = 'Invitations1764700000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE invitations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        email text NOT NULL CHECK (email = lower(btrim(email))),
        role_id uuid NOT NULL REFERENCES roles (id) ON DELETE RESTRICT,
        secret_hash text NOT NULL,
        sent_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        invited_by jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        accepted_at timestamptz,
        accepted_user_id uuid REFERENCES users (id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_invitations_secret_hash ON invitations (secret_hash)`);
    await q.query(`CREATE UNIQUE INDEX uq_invitations_org_email_open ON invitations (organization_id, email) WHERE accepted_at IS NULL`);
    await q.query(`CREATE INDEX ix_invitations_org_created ON invitations (organization_id, created_at DESC) WHERE accepted_at IS NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE invitations`);
  }
}
