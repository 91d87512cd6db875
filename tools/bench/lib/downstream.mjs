// The `downstream` scenario: the example orders service (apps/example-orders, protected by
// @tessera/nest) in front of Tessera's api. Each trial warms the service's cache with a token,
// revokes the token in Tessera and times revoke → first 401 at the orders service (what the
// change stream buys: the service hears of it without asking Tessera on every request).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, expectStatus } from './http.mjs';
import { freePort, runChild, startChild } from './processes.mjs';

const SOURCES = ['apps/example-orders/src', 'apps/example-orders/webpack.config.js', 'libs/nest/src', 'libs/client/src', 'libs/domain/src'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, e) => (e.endsWith('.spec.ts') ? m : Math.max(m, newest(join(path, e)))), st.mtimeMs);
}

/** dist/apps/example-orders/main.js, built unless newer than its sources. */
export async function ensureExampleBuild(root, build, log) {
  const main = join(root, 'dist/apps/example-orders/main.js');
  const built = existsSync(main) ? statSync(main).mtimeMs : 0;
  if (built > Math.max(...SOURCES.map((p) => newest(join(root, p))))) return main;
  if (!build && built) return main;
  log('building the example orders service (npx nx build example-orders)…');
  const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NODE_ENV: 'production' };
  await runChild('nx build example-orders', 'npx', ['nx', 'build', 'example-orders', '--outputStyle=static'], { cwd: root, env });
  return main;
}

/** Starts the orders service against `api` with a fresh token holding tokens:introspect and changes:read. */
export async function startOrdersService(root, main, api, adminToken, log) {
  const service = await expectStatus(
    call(api.base, 'POST', '/api/v1/tokens', { token: adminToken, body: { name: `bench orders service ${Date.now()}`, scopes: ['tokens:introspect', 'changes:read'] } }),
    201,
    'orders service token',
  );
  const port = await freePort();
  const child = startChild('orders service', process.execPath, [main], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', TESSERA_URL: api.base, TESSERA_TOKEN: service.body.secret, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!child.running) throw new Error(`the orders service exited while starting:\n${child.output()}`);
    try {
      if ((await call(base, 'GET', '/health', { timeoutMs: 2_000 })).status === 200) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`the orders service did not answer within 60 s:\n${child.output()}`);
    await sleep(100);
  }
  log(`orders service (pid ${child.pid}) listening on ${base}`);
  return { base, child, stop: () => child.stop() };
}

/** `count` trials: create a token with orders:read, warm the service, revoke in Tessera, time the first 401. */
export async function downstreamTrials(api, orders, adminToken, count) {
  const latencies = [];
  let missed = 0;
  for (let i = 0; i < count; i++) {
    const created = await expectStatus(
      call(api.base, 'POST', '/api/v1/tokens', { token: adminToken, body: { name: `bench downstream ${Date.now()} ${i}`, scopes: ['orders:read'] } }),
      201,
      'trial token',
    );
    const { token, secret } = created.body;
    await expectStatus(call(orders.base, 'GET', '/orders', { token: secret }), 200, 'trial token at the orders service');
    // The second answer comes from the service's cache (the stream is live).
    await expectStatus(call(orders.base, 'GET', '/orders', { token: secret }), 200, 'trial token at the orders service');
    let first401 = null;
    const deadline = performance.now() + 5_000;
    const poll = async () => {
      while (first401 === null && performance.now() < deadline) {
        const res = await call(orders.base, 'GET', '/orders', { token: secret });
        if (res.status === 401) {
          if (first401 === null || res.receivedAt < first401) first401 = res.receivedAt;
        } else if (res.status !== 200) {
          throw new Error(`the orders service answered ${res.status} while polling`);
        }
      }
    };
    const pollers = [poll(), poll()];
    await sleep(2);
    const revoke = await expectStatus(call(api.base, 'POST', `/api/v1/tokens/${token.id}/revoke`, { token: adminToken }), 200, 'revoke');
    await Promise.all(pollers);
    if (first401 === null) missed++;
    else latencies.push(Math.max(0, first401 - revoke.receivedAt));
  }
  return { latencies, missed };
}
