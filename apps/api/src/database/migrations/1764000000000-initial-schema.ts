import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole schema as of the first release. Explicit SQL so it reads as the schema.
 * Times are timestamptz; names are unique per organization case-insensitively through
 * generated `name_lower` columns; audit_events is append-only (trigger).
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organizations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        name_lower text GENERATED ALWAYS AS (lower(name)) STORED,
        is_root boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_organizations_name_lower ON organizations (name_lower)`);
    await q.query(`CREATE UNIQUE INDEX uq_organizations_single_root ON organizations (is_root) WHERE is_root`);

    await q.query(`
      CREATE TABLE roles (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        name_lower text GENERATED ALWAYS AS (lower(name)) STORED,
        description text NOT NULL DEFAULT '',
        permissions text[] NOT NULL DEFAULT '{}',
        built_in boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_roles_org_name_lower ON roles (organization_id, name_lower)`);

    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
        display_name text NOT NULL,
        password_hash text NOT NULL,
        role_id uuid NOT NULL REFERENCES roles (id) ON DELETE RESTRICT,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        last_login_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_users_email_lower ON users (lower(email))`);
    await q.query(`CREATE INDEX ix_users_org ON users (organization_id)`);
    await q.query(`CREATE INDEX ix_users_role ON users (role_id)`);

    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        secret_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        last_used_at timestamptz,
        ip text,
        user_agent text,
        ended_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_sessions_secret_hash ON sessions (secret_hash)`);
    await q.query(`CREATE INDEX ix_sessions_user_created ON sessions (user_id, created_at DESC)`);

    await q.query(`
      CREATE TABLE tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        name_lower text GENERATED ALWAYS AS (lower(name)) STORED,
        description text NOT NULL DEFAULT '',
        role_id uuid REFERENCES roles (id) ON DELETE RESTRICT,
        scopes text[] NOT NULL DEFAULT '{}',
        allowed_ips text[] NOT NULL DEFAULT '{}',
        blocked_ips text[] NOT NULL DEFAULT '{}',
        allowed_endpoints text[] NOT NULL DEFAULT '{}',
        blocked_endpoints text[] NOT NULL DEFAULT '{}',
        allowed_origins text[] NOT NULL DEFAULT '{}',
        valid_from timestamptz,
        valid_to timestamptz,
        active boolean NOT NULL DEFAULT true,
        revoked_at timestamptz,
        secret_hash text NOT NULL,
        previous_secret_hash text,
        previous_secret_valid_until timestamptz,
        hint text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        created_by_kind text NOT NULL CHECK (created_by_kind IN ('user', 'token')),
        created_by_id uuid NOT NULL,
        created_by_name text NOT NULL,
        last_used_at timestamptz,
        last_used_ip text,
        use_count bigint NOT NULL DEFAULT 0,
        version integer NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_tokens_secret_hash ON tokens (secret_hash)`);
    await q.query(`CREATE UNIQUE INDEX uq_tokens_previous_secret_hash ON tokens (previous_secret_hash) WHERE previous_secret_hash IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX uq_tokens_org_name_lower ON tokens (organization_id, name_lower)`);
    await q.query(`CREATE INDEX ix_tokens_org_created ON tokens (organization_id, created_at DESC)`);
    await q.query(`CREATE INDEX ix_tokens_role ON tokens (role_id)`);

    await q.query(`
      CREATE TABLE org_ip_allowlist_entries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        cidr text NOT NULL,
        note text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_org_ip_allowlist_org_cidr ON org_ip_allowlist_entries (organization_id, cidr)`);

    await q.query(`
      CREATE TABLE audit_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        at timestamptz NOT NULL DEFAULT now(),
        organization_id uuid,
        actor_kind text CHECK (actor_kind IN ('user', 'token')),
        actor_id uuid,
        actor_name text,
        action text NOT NULL,
        target_type text,
        target_id text,
        target_name text,
        ip text,
        user_agent text,
        outcome text NOT NULL CHECK (outcome IN ('success', 'failure')),
        reason text,
        details jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await q.query(`CREATE INDEX ix_audit_events_org_at ON audit_events (organization_id, at DESC, seq DESC)`);
    await q.query(`CREATE INDEX ix_audit_events_org_action ON audit_events (organization_id, action)`);
    await q.query(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await q.query(`
      CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP FUNCTION audit_events_append_only()`);
    await q.query(`DROP TABLE org_ip_allowlist_entries`);
    await q.query(`DROP TABLE tokens`);
    await q.query(`DROP TABLE sessions`);
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TABLE roles`);
    await q.query(`DROP TABLE organizations`);
  }
}
