import { Client } from 'pg';
import { bearer, createTestApp, createTestDatabase, type TestApp } from '../testing/test-app';
import { migrateDatabase } from './migrate-database';
import { grantRuntimeRole, RuntimeRoleError, runtimeRoleFromUrl } from './runtime-role';

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

describe('the api serves under a runtime role that cannot rewrite the audit log', () => {
  let t: TestApp;
  let runtime: Client;
  let owner: Client;
  beforeAll(async () => {
    t = await createTestApp();
    runtime = await connect(t.databaseUrls.runtime);
    owner = await connect(t.databaseUrls.owner);
    const created = await t.http.post('/api/v1/tokens').set(bearer(t.admin.token)).send({ name: 'audited', scopes: ['tokens:read'] });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await runtime?.end();
    await owner?.end();
    await t?.close();
  });

  const auditCount = async () =>
    ((await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events')).rows[0] as { n: number }).n;

  it('connects the app itself as the runtime role, a plain role that owns no table', async () => {
    const [me] = (await t.db.query(
      `SELECT current_user AS name, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls
         FROM pg_roles r WHERE r.rolname = current_user`,
    )) as { name: string; rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean; rolbypassrls: boolean }[];
    expect(me).toEqual({
      name: runtimeRoleFromUrl(t.databaseUrls.runtime, false).user,
      rolsuper: false,
      rolcreaterole: false,
      rolcreatedb: false,
      rolbypassrls: false,
    });
    const owned = (await t.db.query('SELECT tablename FROM pg_tables WHERE tableowner = current_user')) as unknown[];
    expect(owned).toEqual([]);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit rows on the runtime connection (permission, not only the trigger)', async () => {
    const before = await auditCount();
    await expect(runtime.query("UPDATE audit_events SET action = 'forged'")).rejects.toThrow(/permission denied for table audit_events/);
    await expect(runtime.query('DELETE FROM audit_events')).rejects.toThrow(/permission denied for table audit_events/);
    await expect(runtime.query('TRUNCATE audit_events')).rejects.toThrow(/permission denied for table audit_events/);
    await expect(runtime.query('SELECT * FROM audit_events FOR UPDATE')).rejects.toThrow(/permission denied/);
    expect(await auditCount()).toBe(before);
  });

  it('cannot disable, drop or get around the append-only trigger', async () => {
    const attempts = [
      'ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete',
      'ALTER TABLE audit_events DISABLE TRIGGER ALL',
      'DROP TRIGGER audit_events_no_truncate ON audit_events',
      'DROP TABLE audit_events',
      'ALTER TABLE audit_events OWNER TO CURRENT_USER',
      'CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$',
    ];
    for (const sql of attempts) await expect(runtime.query(sql)).rejects.toThrow(/must be owner|permission denied/);
    await expect(runtime.query("SET session_replication_role = 'replica'")).rejects.toThrow(/permission denied/);
    const ownerName = ((await owner.query<{ u: string }>('SELECT current_user AS u')).rows[0] as { u: string }).u;
    await expect(runtime.query(`SET ROLE "${ownerName}"`)).rejects.toThrow(/permission denied/);
    await expect(runtime.query('CREATE TABLE sneaky (id int)')).rejects.toThrow(/permission denied/);
    const [{ enabled }] = (
      await owner.query<{ enabled: string }>(
        "SELECT string_agg(tgenabled::text, '') AS enabled FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass AND NOT tgisinternal",
      )
    ).rows as [{ enabled: string }];
    expect(enabled).toBe('OO');
  });

  it('keeps the trigger for the owner: its UPDATE, DELETE and TRUNCATE raise too', async () => {
    await expect(owner.query("UPDATE audit_events SET action = 'x'")).rejects.toThrow(/append-only/);
    await expect(owner.query('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
    await expect(owner.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
  });

  it('grants exactly SELECT, INSERT on audit_events, the four DML rights on the other tables and nothing on migrations', async () => {
    const rows = (await owner.query<{ table_name: string; rights: string }>(
      `SELECT table_name, string_agg(privilege_type, ',' ORDER BY privilege_type) AS rights
         FROM information_schema.role_table_grants WHERE grantee = $1 GROUP BY table_name`,
      [runtimeRoleFromUrl(t.databaseUrls.runtime, false).user],
    )).rows;
    const rights = Object.fromEntries(rows.map((r) => [r.table_name, r.rights]));
    expect(rights['audit_events']).toBe('INSERT,SELECT');
    expect(rights['migrations']).toBeUndefined();
    const tables = (await owner.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).rows;
    for (const { tablename } of tables) {
      if (tablename === 'audit_events' || tablename === 'migrations') continue;
      expect([tablename, rights[tablename]]).toEqual([tablename, 'DELETE,INSERT,SELECT,UPDATE']);
    }
  });

  it('still works normally: changes are made and audited through the runtime role', async () => {
    const created = await t.http.post('/api/v1/tokens').set(bearer(t.admin.token)).send({ name: 'works', scopes: ['tokens:read'] });
    expect(created.status).toBe(201);
    const id = (created.body as { token: { id: string } }).token.id;
    expect((await t.http.patch(`/api/v1/tokens/${id}`).set(bearer(t.admin.token)).send({ description: 'x' })).status).toBe(200);
    expect((await t.http.post(`/api/v1/tokens/${id}/revoke`).set(bearer(t.admin.token))).status).toBe(200);
    expect((await t.http.delete(`/api/v1/tokens/${id}`).set(bearer(t.admin.token))).status).toBe(204);
    const actions = (await t.db.query('SELECT action FROM audit_events WHERE target_id = $1 ORDER BY seq', [id])) as { action: string }[];
    expect(actions.map((a) => a.action)).toEqual(['token.create', 'token.update', 'token.revoke', 'token.delete']);
  });
});

describe('granting the runtime role', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let owner: Client;
  beforeAll(async () => {
    database = await createTestDatabase();
    owner = await connect(database.url);
  });
  afterAll(async () => {
    await owner?.end();
    await database?.drop();
  });

  it('is idempotent and follows the credentials it is given (embedded: Tessera keeps the password)', async () => {
    const role = runtimeRoleFromUrl(database.runtimeUrl, true);
    await migrateDatabase(database.url, role);
    await migrateDatabase(database.url, role);
    const changed = new URL(database.runtimeUrl);
    changed.password = 'another-generated-password-1';
    await migrateDatabase(database.url, runtimeRoleFromUrl(changed.toString(), true));
    const client = await connect(changed.toString());
    await client.end();
    await expect(connect(database.runtimeUrl)).rejects.toThrow(/password authentication failed/);
  });

  it('refuses a runtime role that is a superuser or can act as the owner', async () => {
    const name = `${runtimeRoleFromUrl(database.runtimeUrl, false).user}_x`;
    await owner.query(`CREATE ROLE "${name}" LOGIN SUPERUSER`);
    try {
      await expect(grantRuntimeRole(owner, { user: name, password: null, managePassword: false })).rejects.toThrow(RuntimeRoleError);
      await owner.query(`ALTER ROLE "${name}" NOSUPERUSER`);
      const me = ((await owner.query<{ u: string }>('SELECT current_user AS u')).rows[0] as { u: string }).u;
      await owner.query(`GRANT "${me}" TO "${name}"`);
      await expect(grantRuntimeRole(owner, { user: name, password: null, managePassword: false })).rejects.toThrow(/act as the owner/);
    } finally {
      await owner.query(`DROP OWNED BY "${name}"`);
      await owner.query(`DROP ROLE "${name}"`);
    }
  });

  it('names what to do when the role is missing and no password was given', async () => {
    await expect(grantRuntimeRole(owner, { user: 'tessera_nobody_here', password: null, managePassword: false })).rejects.toThrow(
      /does not exist.*CREATE ROLE/,
    );
  });
});
