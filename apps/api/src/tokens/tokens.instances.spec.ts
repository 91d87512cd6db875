import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RoleDto } from '@tessera/domain';
import request from 'supertest';
import { createTesseraApp } from '../app/create-app';
import { parseConfig } from '../config/app-config';
import { createTestApp, TEST_ADMIN, type TestApp } from '../testing/test-app';
import { as, WITHOUT_FAILURE_LIMIT } from './testing/api-client';
import { aToken } from './testing/a-token';

/**
 * SPEC §3: a change holds from the next request on the instance that made it, and within 100 ms
 * on every other api instance over the same database. Instance A is the test app; instance B is a
 * second app on the same database, with its own guard cache.
 */
describe('changes reach every api instance over the same database', () => {
  let a: TestApp;
  let b: NestFastifyApplication;
  let bUrl: string;
  let admin: ReturnType<typeof as>;

  beforeAll(async () => {
    a = await createTestApp({ env: WITHOUT_FAILURE_LIMIT });
    admin = as(a, a.admin.token);
    const databaseUrl = (a.db.options as { url: string }).url;
    const config = parseConfig({
      ...WITHOUT_FAILURE_LIMIT,
      ADMIN_EMAIL: TEST_ADMIN.email,
      ADMIN_PASSWORD: TEST_ADMIN.password,
      LOG_LEVEL: 'silent',
      SERVE_ADMIN: 'off',
    });
    b = await createTesseraApp({
      config: { ...config, databaseUrl },
      firstStartReporter: () => undefined,
      bootLogs: false,
      serveStatic: false,
    });
    await b.listen({ port: 0, host: '127.0.0.1' });
    const address = b.getHttpServer().address();
    bUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const onB = (secret: string, path = '/api/v1/tokens') => request(bUrl).get(path).set('Authorization', `Bearer ${secret}`);

  /**
   * Polls instance B until it answers `status`. Returns when (ms after the change) the first request
   * that saw the new state was sent: the age of the change it could have missed, independent of how
   * long B takes to answer on a busy test machine.
   */
  async function msUntil(secret: string, status: number, path?: string): Promise<number> {
    const start = performance.now();
    for (;;) {
      const sent = performance.now() - start;
      const res = await onB(secret, path);
      if (res.status === status) return sent;
      if (performance.now() - start > 2_000) throw new Error(`instance B still answers ${res.status} after 2 s`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  it('revoke, deactivate and edits on one instance hold on the other within 100 ms', async () => {
    const { token, secret } = (await admin.post('/tokens', aToken().withScopes('tokens:read').build()).expect(201)).body as {
      token: { id: string };
      secret: string;
    };
    await onB(secret).expect(200); // B has the token in its cache now

    await admin.post(`/tokens/${token.id}/deactivate`).expect(200);
    expect(await msUntil(secret, 401)).toBeLessThan(100);
    await admin.post(`/tokens/${token.id}/activate`).expect(200);
    expect(await msUntil(secret, 200)).toBeLessThan(100);

    await admin.patch(`/tokens/${token.id}`, { allowedIps: ['10.0.0.0/8'] }).expect(200);
    expect(await msUntil(secret, 403)).toBeLessThan(100);
    await admin.patch(`/tokens/${token.id}`, { allowedIps: [] }).expect(200);
    expect(await msUntil(secret, 200)).toBeLessThan(100);

    await admin.post(`/tokens/${token.id}/revoke`).expect(200);
    expect(await msUntil(secret, 401)).toBeLessThan(100);
  });

  it('regenerate and delete hold on the other instance within 100 ms', async () => {
    const { token, secret } = (await admin.post('/tokens', aToken().build()).expect(201)).body as { token: { id: string }; secret: string };
    await onB(secret).expect(200);
    const fresh = (await admin.post(`/tokens/${token.id}/regenerate`, {}).expect(200)).body.secret as string;
    expect(await msUntil(secret, 401)).toBeLessThan(100);
    await onB(fresh).expect(200);
    await admin.delete(`/tokens/${token.id}`).expect(204);
    expect(await msUntil(fresh, 401)).toBeLessThan(100);
  });

  it('a role edit and the organization allowlist hold on the other instance within 100 ms', async () => {
    const role = (await admin.post('/roles', { name: 'Shared role', permissions: ['tokens:read'] }).expect(201)).body as RoleDto;
    const { secret } = (await admin.post('/tokens', aToken().withRole(role.id).build()).expect(201)).body as { secret: string };
    await onB(secret).expect(200);
    await admin.patch(`/roles/${role.id}`, { permissions: ['roles:read'] }).expect(200);
    expect(await msUntil(secret, 403)).toBeLessThan(100);

    await admin.put('/security/ip-allowlist', { entries: [{ cidr: '10.0.0.0/8' }], force: true }).expect(200);
    expect(await msUntil(secret, 403, '/api/v1/roles')).toBeLessThan(100);
  });
});
