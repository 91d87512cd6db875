import { escapeIdentifier, escapeLiteral } from 'pg';

/** Runs one statement: a TypeORM QueryRunner (answers rows) or a pg Client (answers {rows}). */
export interface Sql {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

async function rows<T>(sql: Sql, text: string, params?: unknown[]): Promise<T[]> {
  const result = await sql.query(text, params);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** The role the api serves under, read from DATABASE_RUNTIME_URL (or the embedded credentials). */
export interface RuntimeRole {
  user: string;
  /** null: the URL carries none (the role must exist already). */
  password: string | null;
  /**
   * true (embedded PostgreSQL): Tessera owns the role and sets its password to this one on every
   * start. false (DATABASE_RUNTIME_URL): an existing role is left as the operator made it.
   */
  managePassword: boolean;
}

/**
 * Tables whose rows are never changed or removed: the runtime role may only read and add.
 * Any table named `audit_…` counts, so an audit table added later is append-only by default.
 */
export function isAppendOnlyTable(table: string): boolean {
  return table === 'audit_events' || table.startsWith('audit_');
}

/** TypeORM's bookkeeping of applied migrations: for the owner only. */
const MIGRATIONS_TABLE = 'migrations';

export function runtimeRoleFromUrl(url: string, managePassword: boolean): RuntimeRole {
  const u = new URL(url);
  return {
    user: decodeURIComponent(u.username),
    password: u.password === '' ? null : decodeURIComponent(u.password),
    managePassword,
  };
}

export class RuntimeRoleError extends Error {}

/**
 * Makes `role` what the api needs and no more, as the owner of the tables (run after every
 * migration, so tables added later are granted too; idempotent):
 * - the role exists (created LOGIN, NOSUPERUSER, NOCREATEDB, NOCREATEROLE, NOBYPASSRLS when it
 *   does not and a password is known), owns no table and is no member of the owner;
 * - CONNECT on the database, USAGE on the schema, USAGE/SELECT on its sequences;
 * - SELECT, INSERT, UPDATE, DELETE on every app table, but only SELECT, INSERT on append-only
 *   (audit) tables, and nothing on the migrations table. No TRUNCATE, REFERENCES or TRIGGER
 *   anywhere; not owning the tables, it cannot ALTER them or disable their triggers.
 * Refuses (RuntimeRoleError) a role that is a superuser, bypasses row security or can act as the
 * owner: with such a role the append-only rule would mean nothing.
 */
export async function grantRuntimeRole(sql: Sql, role: RuntimeRole): Promise<void> {
  const ident = escapeIdentifier(role.user);
  const existing = await rows<{ rolsuper: boolean; rolbypassrls: boolean; as_owner: boolean }>(
    sql,
    `SELECT rolsuper, rolbypassrls, pg_has_role($1, current_user, 'MEMBER') AS as_owner
       FROM pg_roles WHERE rolname = $1`,
    [role.user],
  );
  const found = existing[0];
  if (!found) {
    if (role.password === null) {
      throw new RuntimeRoleError(
        `The runtime role "${role.user}" does not exist. Create it (CREATE ROLE ${ident} LOGIN PASSWORD '…') or put a password in DATABASE_RUNTIME_URL so Tessera creates it.`,
      );
    }
    try {
      await sql.query(
        `CREATE ROLE ${ident} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOBYPASSRLS NOREPLICATION PASSWORD ${escapeLiteral(role.password)}`,
      );
    } catch (err) {
      if ((err as { code?: string }).code === '42501') {
        throw new RuntimeRoleError(
          `The owner role of DATABASE_URL may not create roles. Create the runtime role once as an administrator: CREATE ROLE ${ident} LOGIN PASSWORD '…'; then start again.`,
        );
      }
      throw err;
    }
  } else {
    if (found.rolsuper || found.rolbypassrls || found.as_owner) {
      throw new RuntimeRoleError(
        `The runtime role "${role.user}" is a superuser, bypasses row security or can act as the owner; give the api a plain role (docs/operations.md "Two database roles").`,
      );
    }
    if (role.managePassword && role.password !== null) {
      await sql.query(`ALTER ROLE ${ident} WITH LOGIN PASSWORD ${escapeLiteral(role.password)}`);
    }
  }

  const [where] = await rows<{ db: string; schema: string }>(sql, `SELECT current_database() AS db, current_schema() AS schema`);
  if (!where) throw new Error('no current database');
  const { db, schema } = where;
  const owned = await rows<{ tablename: string }>(sql, `SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tableowner = $2`, [
    schema,
    role.user,
  ]);
  if (owned.length > 0) {
    throw new RuntimeRoleError(
      `The runtime role "${role.user}" owns ${owned.map((t) => t.tablename).join(', ')}; it must own nothing (it could disable the audit trigger).`,
    );
  }
  // The database and the schema may belong to someone else than the table owner (a managed
  // server): grant only what is missing, so an owner without rights on them still starts.
  const [may] = await rows<{ may_connect: boolean; may_use: boolean; may_create: boolean }>(
    sql,
    `SELECT has_database_privilege($1, current_database(), 'CONNECT') AS may_connect,
            has_schema_privilege($1, current_schema(), 'USAGE') AS may_use,
            has_schema_privilege($1, current_schema(), 'CREATE') AS may_create`,
    [role.user],
  );
  if (!may?.may_connect) await sql.query(`GRANT CONNECT ON DATABASE ${escapeIdentifier(db)} TO ${ident}`);
  if (!may?.may_use) await sql.query(`GRANT USAGE ON SCHEMA ${escapeIdentifier(schema)} TO ${ident}`);
  if (may?.may_create) await sql.query(`REVOKE CREATE ON SCHEMA ${escapeIdentifier(schema)} FROM ${ident}`);
  await sql.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${escapeIdentifier(schema)} TO ${ident}`);
  const tables = await rows<{ tablename: string }>(sql, `SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename`, [schema]);
  for (const { tablename } of tables) {
    const table = `${escapeIdentifier(schema)}.${escapeIdentifier(tablename)}`;
    await sql.query(`REVOKE ALL ON TABLE ${table} FROM ${ident}`);
    if (tablename === MIGRATIONS_TABLE) continue;
    const rights = isAppendOnlyTable(tablename) ? 'SELECT, INSERT' : 'SELECT, INSERT, UPDATE, DELETE';
    await sql.query(`GRANT ${rights} ON TABLE ${table} TO ${ident}`);
    // Nobody gets around it through PUBLIC either.
    if (isAppendOnlyTable(tablename)) await sql.query(`REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON TABLE ${table} FROM PUBLIC`);
  }
}
