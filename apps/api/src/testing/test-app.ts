import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Client } from 'pg';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createTesseraApp } from '../app/create-app';
import { AuditService } from '../audit/audit.service';
import { PasswordHasher } from '../auth/password-hasher';
import { UsageRecorder } from '../auth/usage-recorder';
import type { Clock } from '../common/clock';
import { parseConfig } from '../config/app-config';
import { createOrganizationWithAdmin } from '../organizations/organization-creation';

type Http = ReturnType<typeof request>;

export const TEST_ADMIN = { email: 'admin@tessera.test', password: 'admin-password-1234' } as const;

export interface TestAppOptions {
  /** A fixed clock; change it later with setNow(). Default: real time. */
  now?: () => Date;
  /** Environment variables on top of the test defaults (e.g. TRUST_PROXY, AUTH_FAILURE_LIMIT). */
  env?: Record<string, string>;
}

export interface TestOrg {
  organizationId: string;
  email: string;
  password: string;
  /** A session token of the org's admin (role "All permissions"). */
  token: string;
}

export interface TestApp {
  app: NestFastifyApplication;
  /** supertest against the listening server: `t.http.get('/api/v1/auth/me').set(...)`. */
  http: Http;
  /** The server's base URL (http://127.0.0.1:port). */
  url: string;
  /** The first-start admin of organization "Default" (the root organization) and a session token. */
  admin: { email: string; password: string; token: string; organizationId: string };
  /** This test's own database, through the app's own connection (the runtime role). */
  db: DataSource;
  /** postgres:// URLs of this test's database: the owner (migrations) and the runtime role the app serves under. */
  databaseUrls: { owner: string; runtime: string };
  /** POST /auth/login → session token (throws unless 200). */
  login(email: string, password: string): Promise<string>;
  /** A further organization with built-in roles and an admin, and that admin's session token. */
  createOrg(name?: string): Promise<TestOrg>;
  /** Moves the injected clock (null = real time again). */
  setNow(date: Date | null): void;
  /** Writes buffered usage data and refused-authentication audit rows now. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

declare const __tesseraPostgresUrl: (() => Promise<string>) | undefined;

async function serverUrl(): Promise<string> {
  if (process.env['DATABASE_URL']) return process.env['DATABASE_URL'];
  if (typeof __tesseraPostgresUrl !== 'function') {
    throw new Error('createTestApp needs the api jest environment (apps/api/jest.config.cts) or DATABASE_URL');
  }
  return __tesseraPostgresUrl();
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * A fresh, empty database on this worker's PostgreSQL, and the name and password of a runtime role
 * for it (not created: the app creates and grants it on start, as in production). `url` is the
 * owner (the server's superuser), `runtimeUrl` the runtime role. `drop()` removes both.
 */
export async function createTestDatabase(): Promise<{ url: string; runtimeUrl: string; drop(): Promise<void> }> {
  const adminUrl = await serverUrl();
  const name = `tessera_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const role = `${name}_rt`;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const runtime = new URL(withDatabase(adminUrl, name));
  runtime.username = role;
  runtime.password = randomBytes(18).toString('hex');
  return {
    url: withDatabase(adminUrl, name),
    runtimeUrl: runtime.toString(),
    drop: async () => {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await c.query(`DROP ROLE IF EXISTS "${role}"`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * The real Tessera app (Fastify, guard, filters, migrations, first-start bootstrap) on a fresh
 * PostgreSQL database, listening on 127.0.0.1:<free port>. Always `await t.close()` (afterAll).
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  let fixed: Date | null = options.now ? options.now() : null;
  const clock: Clock = { now: () => (fixed ? new Date(fixed.getTime()) : new Date()) };
  const config = parseConfig({
    ADMIN_EMAIL: TEST_ADMIN.email,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    LOG_LEVEL: 'silent',
    SERVE_ADMIN: 'off',
    FLUSH_INTERVAL_MS: '50',
    // Many refusals come from 127.0.0.1 in a test file; limiter tests set their own limit.
    AUTH_FAILURE_LIMIT: '100000',
    AUTH_ACCOUNT_FAILURE_LIMIT: '100000',
    ...options.env,
    DATABASE_URL: database.url,
    // The app serves under its runtime role, as in production: no UPDATE/DELETE on audit rows.
    DATABASE_RUNTIME_URL: database.runtimeUrl,
  });
  let app: NestFastifyApplication;
  try {
    app = await createTesseraApp({
      config: { ...config, databaseUrl: database.url },
      clock,
      firstStartReporter: () => undefined,
      bootLogs: false,
      serveStatic: false,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
  } catch (err) {
    await database.drop().catch(() => undefined);
    throw err;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  const http = request(url);
  const db = app.get<DataSource>(getDataSourceToken());

  const login = async (email: string, password: string): Promise<string> => {
    const res = await request(url).post('/api/v1/auth/login').send({ email, password });
    if (res.status !== 200) throw new Error(`login ${email} → ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { token: string }).token;
  };

  const rootOrg = (await db.query('SELECT id FROM organizations WHERE is_root')) as { id: string }[];
  const admin = {
    email: TEST_ADMIN.email,
    password: TEST_ADMIN.password,
    token: await login(TEST_ADMIN.email, TEST_ADMIN.password),
    organizationId: rootOrg[0]?.id ?? '',
  };

  let orgCount = 0;
  return {
    app,
    http,
    url,
    admin,
    db,
    databaseUrls: { owner: database.url, runtime: database.runtimeUrl },
    login,
    async createOrg(name?: string): Promise<TestOrg> {
      orgCount++;
      const orgName = name ?? `Org ${orgCount} ${randomBytes(3).toString('hex')}`;
      const email = `admin${orgCount}.${randomBytes(3).toString('hex')}@org.test`;
      const password = `password-${randomBytes(6).toString('hex')}`;
      const hash = await app.get(PasswordHasher).hash(password);
      const created = await db.transaction((m) =>
        createOrganizationWithAdmin(m, { name: orgName, isRoot: false, adminEmail: email, adminPasswordHash: hash }),
      );
      return { organizationId: created.organization.id, email, password, token: await login(email, password) };
    },
    setNow(date: Date | null) {
      fixed = date;
    },
    async flush() {
      await app.get(UsageRecorder).flush();
      await app.get(AuditService).flush();
    },
    async close() {
      try {
        await app.close();
      } finally {
        await database.drop();
      }
    },
  };
}

/** `Authorization: Bearer <token>` header object for supertest's `.set()`. */
export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}
