import { jest } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import request from 'supertest';
import type { Test } from 'supertest';
import type * as CreateAppModule from '../../app/create-app';
import type * as CredentialsModule from '../credentials.service';
import { parseConfig } from '../../config/app-config';
import { createTestDatabase, TEST_ADMIN } from '../../testing/test-app';

const BASE = '/api/v1';

/** One api instance (a whole Nest app listening on 127.0.0.1) of a group sharing one database. */
export interface Instance {
  app: NestFastifyApplication;
  url: string;
  /** This instance's Credentials (each instance has its own copy of every module, see below). */
  credentials: CredentialsModule.Credentials;
  /** Requests to /api/v1 with a bearer token: `a.as(secret).get('/auth/me')`. */
  as(bearer: string): {
    get(path: string): Test;
    post(path: string, body?: unknown): Test;
    patch(path: string, body: unknown): Test;
    put(path: string, body: unknown): Test;
    delete(path: string): Test;
  };
  login(email: string, password: string): Promise<{ token: string; sessionId: string }>;
  /** Stops the app (flushes its buffers); idempotent. */
  close(): Promise<void>;
}

export interface InstanceGroup {
  instances: Instance[];
  databaseUrl: string;
  admin: { email: string; password: string };
  /** A plain connection to the shared database (own pool, independent of the apps). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * Loads the app's modules in a registry of their own. Two Nest apps in one process would otherwise
 * share process-wide singletons that separate api processes never share, above all passport's
 * strategy registry: the second app's BearerStrategy would
 * verify the first app's requests too.
 */
function isolatedModules(): { createTesseraApp: typeof CreateAppModule.createTesseraApp; Credentials: typeof CredentialsModule.Credentials } {
  let loaded: ReturnType<typeof isolatedModules> | undefined;
  jest.isolateModules(() => {
    const { createTesseraApp } = require('../../app/create-app') as typeof CreateAppModule;
    const { Credentials } = require('../credentials.service') as typeof CredentialsModule;
    loaded = { createTesseraApp, Credentials };
  });
  if (!loaded) throw new Error('jest.isolateModules did not run');
  return loaded;
}

export async function startInstance(
  databaseUrl: string,
  env: Record<string, string>,
  options: { logger?: CreateAppModule.CreateAppOptions['logger'] } = {},
): Promise<Instance> {
  const { createTesseraApp, Credentials } = isolatedModules();
  const config = parseConfig({
    ADMIN_EMAIL: TEST_ADMIN.email,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    LOG_LEVEL: 'silent',
    SERVE_ADMIN: 'off',
    FLUSH_INTERVAL_MS: '50',
    // Tests send many refused requests from 127.0.0.1; the failure limiter has its own tests.
    AUTH_FAILURE_LIMIT: '100000',
    ...env,
    DATABASE_URL: databaseUrl,
  });
  const app = await createTesseraApp({
    config: { ...config, databaseUrl },
    firstStartReporter: () => undefined,
    bootLogs: false,
    serveStatic: false,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  let closed = false;
  return {
    app,
    url,
    credentials: app.get(Credentials),
    as(bearer: string) {
      const auth = (req: Test): Test => req.set('Authorization', `Bearer ${bearer}`);
      const http = request(url);
      return {
        get: (path: string) => auth(http.get(`${BASE}${path}`)),
        post: (path: string, body?: unknown) => {
          const req = auth(http.post(`${BASE}${path}`));
          return body === undefined ? req : req.send(body as object);
        },
        patch: (path: string, body: unknown) => auth(http.patch(`${BASE}${path}`)).send(body as object),
        put: (path: string, body: unknown) => auth(http.put(`${BASE}${path}`)).send(body as object),
        delete: (path: string) => auth(http.delete(`${BASE}${path}`)),
      };
    },
    async login(email: string, password: string) {
      const res = await request(url).post(`${BASE}/auth/login`).send({ email, password });
      if (res.status !== 200) throw new Error(`login ${email} → ${res.status}`);
      const token = (res.body as { token: string }).token;
      const me = await request(url).get(`${BASE}/auth/me`).set('Authorization', `Bearer ${token}`);
      return { token, sessionId: (me.body as { sessionId: string }).sessionId };
    },
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
    },
  };
}

/**
 * `count` Tessera api instances (real apps, as in production: guard, cache, change feed) on ONE
 * fresh PostgreSQL database, like several api processes behind a load balancer. The first one
 * runs the migrations and the first-start bootstrap. Always `await group.close()`.
 */
export async function createInstanceGroup(count = 2, env: Record<string, string> = {}): Promise<InstanceGroup> {
  const database = await createTestDatabase();
  const instances: Instance[] = [];
  const client = new Client({ connectionString: database.url });
  try {
    // Every instance serves under the database's runtime role, as in production.
    for (let i = 0; i < count; i++) instances.push(await startInstance(database.url, { DATABASE_RUNTIME_URL: database.runtimeUrl, ...env }));
    await client.connect();
  } catch (err) {
    await Promise.all(instances.map((x) => x.close().catch(() => undefined)));
    await client.end().catch(() => undefined);
    await database.drop().catch(() => undefined);
    throw err;
  }
  return {
    instances,
    databaseUrl: database.url,
    admin: { email: TEST_ADMIN.email, password: TEST_ADMIN.password },
    async query<T>(sql: string, params: unknown[] = []) {
      return (await client.query(sql, params)).rows as T[];
    },
    async close() {
      try {
        await Promise.all(instances.map((x) => x.close()));
      } finally {
        await client.end().catch(() => undefined);
        await database.drop();
      }
    },
  };
}

/**
 * Polls `probe` until it returns true or `timeoutMs` passes (then fails with `what`). For
 * effects that travel between instances: the test asserts that they arrive, never how fast.
 */
export async function eventually(what: string, probe: () => Promise<boolean>, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
