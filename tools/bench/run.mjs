#!/usr/bin/env node
// Tessera api benchmark (`npm run bench`). Not a test: it measures, prints and writes
// bench/results/latest.json. Everything runs on 127.0.0.1:
//   1. builds the api for production unless dist/apps/api/main.js is newer than its sources, and
//      transpiles the baseline apps (tools/bench/baselines/) into dist/bench-baselines/;
//   2. starts a throw-away embedded PostgreSQL and the api (`node dist/apps/api/main.js`,
//      LOG_LEVEL=info: what users run);
//   3. seeds 10 organizations with 100 000 tokens, plus one organization with 100 000 tokens of
//      its own (straight into the migrated schema);
//   4. times revoke on instance A → first 401 on instance B (two api processes, one database),
//      and revoke in Tessera → first 401 at the example orders service (apps/example-orders,
//      @tessera/nest, told by the change stream; built into dist/apps/example-orders/);
//   5. times a filtered, sorted, paged token list of an organization with 10 000 tokens and of
//      the one with 100 000;
//   6. throughput, in --rounds rounds: drives each server with autocannon from a separate process
//      (same connections, duration and prebuilt requests with thousands of distinct tokens in
//      turn, for every scenario), each scenario on a server process started for it: baselines
//      `bare` (NestJS + Fastify, one route, no guard, no logs), `naive-express` and
//      `naive-fastify` (the tutorial guard: passport-http-bearer + a TypeORM findOne per request);
//      Tessera's health/live, auth/me with the cache, well-formed unknown tokens (401), auth/me
//      without usage counting (bench-only TESSERA_BENCH_USAGE=off), auth/me with AUTH_CACHE=off;
//      a scenario's figure is its median round by req/s;
//   7. prints every scenario, the goals of issue 10 (by how much each missed goal is missed) and
//      writes them to bench/results/latest.json.
// Every process it starts is stopped by PID at the end, on error and on Ctrl-C.
//
// Options: --tokens=100000 --big=100000 --sample=5000 --connections=50 --duration=10 --warmup=3
//          --trials=200 --list=200 --rounds=3
//          --downstream=50 (revocations timed at the orders service)
//          --only=bare,naive,health,me,usage,unknown,nocache,revoke,downstream,list,list100k
//          --no-build --out=<file> --cpu-prof=<dir> (every throughput process, baselines included,
//          runs under node --cpu-prof: one .cpuprofile per scenario and round, named by the pid printed in
//          latest.json's scenarios, written when it stops) --api-env=K=V,K=V (extra
//          environment for Tessera's api processes, for experiments) --api-tail=N (print api A's
//          last N output lines when it stops)
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { call, closeHttp, expectStatus } from './lib/http.mjs';
import { buildBaselines } from './lib/baselines.mjs';
import { cliArgs, waitForServer } from './lib/cli.mjs';
import { downstreamTrials, ensureExampleBuild, startOrdersService } from './lib/downstream.mjs';
import { freePort, runChild, startChild, startPostgres, stopAll } from './lib/processes.mjs';
import { generateSecret } from './lib/secrets.mjs';
import { ADMIN, BIG_ADMIN, connect, SEARCH_WORDS, seedOrganizations, seedTokens } from './lib/seed.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(ROOT, 'dist/apps/api/main.js');

const args = cliArgs();
const ALL = 'bare,naive,health,me,usage,unknown,nocache,revoke,downstream,list,list100k';
const opt = {
  tokens: Number(args.tokens ?? 100_000),
  big: Number(args.big ?? 100_000),
  sample: Number(args.sample ?? 5_000),
  connections: Number(args.connections ?? 50),
  duration: Number(args.duration ?? 10),
  warmup: Number(args.warmup ?? 3),
  trials: Number(args.trials ?? 200),
  downstream: Number(args.downstream ?? 50),
  list: Number(args.list ?? 200),
  rounds: Number(args.rounds ?? 3),
  only: new Set((args.only ?? ALL).split(',')),
  build: args['no-build'] === undefined,
  out: resolve(ROOT, args.out ?? 'bench/results/latest.json'),
  cpuProf: args['cpu-prof'] ? resolve(ROOT, args['cpu-prof']) : null,
  apiEnv: Object.fromEntries((args['api-env'] ?? '').split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
};

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

// ------------------------------------------------------------------ build

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.endsWith('.spec.ts')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

async function ensureBuild() {
  const sources = ['apps/api/src', 'apps/api/webpack.config.js', 'apps/api/tsconfig.app.json', 'apps/api/project.json', 'libs/domain/src'];
  const newest = Math.max(...sources.map((p) => newestMtime(join(ROOT, p))));
  const built = existsSync(MAIN) ? statSync(MAIN).mtimeMs : 0;
  if (built > newest) {
    log('dist/apps/api/main.js is newer than its sources: reusing it');
    return;
  }
  if (!opt.build) {
    if (!built) throw new Error('dist/apps/api/main.js is missing (run without --no-build)');
    log('dist/apps/api/main.js is older than its sources, but --no-build was given: reusing it');
    return;
  }
  log('building the api for production (npx nx build api --configuration=production)…');
  const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
  await runChild('nx build api', 'npx', ['nx', 'build', 'api', '--configuration=production', '--outputStyle=static'], { cwd: ROOT, env });
}

// ------------------------------------------------------------------ api instances

async function startApi(name, databaseUrl, extraEnv = {}) {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    PORT: String(port),
    // The default level: what users run (one structured line per request).
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    // Every load comes from 127.0.0.1: keep the failed-authentication limiter from answering 429
    // during the unknown-token scenario (the 401 path is what is measured).
    AUTH_FAILURE_LIMIT: '100000',
    AUTH_FAILURE_WINDOW_SECONDS: '1',
    // --api-env=K=V,K=V (experiments: e.g. LOG_LEVEL=warn to put a figure on the request lines)
    ...opt.apiEnv,
    ...extraEnv,
  };
  const nodeArgs = opt.cpuProf && name === 'Tessera' ? ['--cpu-prof', `--cpu-prof-dir=${opt.cpuProf}`] : [];
  // Log lines go to a file, not through the bench: reading a pipe would take CPU from the api.
  const stdoutFile = join(LOAD_DIR, `${name.replace(/\W+/g, '-')}-${port}.log`);
  mkdirSync(LOAD_DIR, { recursive: true });
  const child = startChild(name, process.execPath, [...nodeArgs, MAIN], { cwd: ROOT, env, stdoutFile });
  const switches = Object.entries(extraEnv).map(([k, v]) => ` ${k}=${v}`).join('');
  return waitUntilServing(name, child, `http://127.0.0.1:${port}`, '/api/v1/health/live', switches);
}

/** Polls `path` until the server answers with anything but a 5xx. */
async function waitUntilServing(name, child, base, path, note = '') {
  await waitForServer(name, child, base, path, (status) => status < 500, (msg) => log(`${msg}${note}`));
  return { name, base, child, stop: () => child.stop() };
}

/** Can the workspace load `pkg`? */
function resolvable(pkg) {
  try {
    createRequire(join(ROOT, 'package.json')).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** A baseline app (dist/bench-baselines/<script>.js) on a free port. */
async function startBaseline(name, script, env) {
  const port = await freePort();
  const nodeArgs = opt.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${opt.cpuProf}`] : [];
  const child = startChild(name, process.execPath, [...nodeArgs, script], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...(process.env.NODE_PATH ? { NODE_PATH: process.env.NODE_PATH } : {}),
      NODE_ENV: 'production',
      PORT: String(port),
      ...env,
    },
  });
  return waitUntilServing(name, child, `http://127.0.0.1:${port}`, '/api/v1/auth/me');
}

// ------------------------------------------------------------------ load (autocannon, own process)

/** The embedded PostgreSQL of this run ({ pid } of its postmaster), for CPU accounting. */
const POSTGRES = { pid: null };
const LOAD_DIR = join(tmpdir(), `tessera-bench-load-${process.pid}`);
const CHANGE_FEED = /change feed/;

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux). */
function cpuMs(pid) {
  const t = cpuTimes(pid);
  return t === null ? null : t.user + t.system;
}

/** User and system (kernel: the socket writes and reads, epoll) CPU time (ms) of a process so far. */
function cpuTimes(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime in clock ticks (USER_HZ 100)
    return { user: (Number(fields[11]) * 1000) / 100, system: (Number(fields[12]) * 1000) / 100 };
  } catch {
    return null;
  }
}

/** CPU time (ms) of process `rootPid` and all its descendants (the PostgreSQL server and its backends). */
function postgresCpuMs(rootPid) {
  if (!rootPid) return null;
  const procs = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ');
      // utime + stime, plus cutime + cstime: backends that exited meanwhile are counted in their parent.
      const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      procs.set(Number(entry), { ppid: Number(fields[1]), ms: (ticks * 1000) / 100 });
    } catch {
      /* gone meanwhile */
    }
  }
  let total = 0;
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.pop();
    total += procs.get(pid)?.ms ?? 0;
    for (const [child, p] of procs) if (p.ppid === pid) queue.push(child);
  }
  return total;
}

/**
 * Uses every token once (16 at a time) before a scenario. autocannon's connections walk the token
 * list in lockstep, so a short warm-up would touch only its first few dozen entries and the
 * measured run would mostly meet tokens the api has not seen yet; "with the cache" means warm.
 */
async function prime(api, path, tokens) {
  let next = 0;
  const worker = async () => {
    while (next < tokens.length) {
      const token = tokens[next++];
      await call(api.base, 'GET', path, { token });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/**
 * One scenario: a warm-up run, then the measured run, each an autocannon process of its own.
 * Besides req/s and latency it reports the api's CPU time per request over the measured run,
 * which (unlike req/s) does not depend on what else the machine is busy with.
 */
async function load(label, api, path, tokens, { warmCache = true } = {}) {
  const dir = LOAD_DIR;
  mkdirSync(dir, { recursive: true });
  const name = label.replace(/\W+/g, '-');
  const scenario = { url: api.base, path, connections: opt.connections };
  if (tokens) {
    scenario.tokensFile = join(dir, `${name}.txt`);
    writeFileSync(scenario.tokensFile, tokens.join('\n'), { mode: 0o600 });
  }
  const runOnce = async (duration) => {
    const file = join(dir, `${name}-${duration}.json`);
    writeFileSync(file, JSON.stringify({ ...scenario, duration }));
    const out = await runChild(`autocannon ${label}`, process.execPath, [join(ROOT, 'tools/bench/load.mjs'), file], { cwd: ROOT });
    return JSON.parse(out.trim().split('\n').pop());
  };
  api.child.scan(CHANGE_FEED); // skip what came before
  if (tokens && warmCache) await prime(api, path, tokens);
  if (opt.warmup > 0) await runOnce(opt.warmup);
  const before = cpuTimes(api.child.pid);
  const pgBefore = postgresCpuMs(POSTGRES.pid);
  const result = await runOnce(opt.duration);
  const after = cpuTimes(api.child.pid);
  const pgAfter = postgresCpuMs(POSTGRES.pid);
  result.label = label;
  // Lost change feeds make every request read the database: a scenario reports them.
  const events = api.child.scan(CHANGE_FEED).map((l) => {
    try {
      return JSON.parse(l).msg;
    } catch {
      return l;
    }
  });
  if (events.length > 0) {
    result.events = events;
    log(`${label}: ${events.length} change-feed event(s) from its warm-up on: ${events.slice(0, 3).join(' | ')}`);
  }
  result.postgresCpuUsPerRequest =
    pgBefore === null || pgAfter === null || result.requests === 0 ? null : Math.round(((pgAfter - pgBefore) * 1000) / result.requests);
  const perRequest = (ms) => (before === null || after === null || result.requests === 0 ? null : Math.round((ms * 1000) / result.requests));
  result.apiCpuUsPerRequest = perRequest(after?.user + after?.system - before?.user - before?.system);
  // Of which in the kernel: what every server pays to move its answers through the socket.
  result.apiSystemCpuUsPerRequest = perRequest(after?.system - before?.system);
  return result;
}

// ------------------------------------------------------------------ throughput rounds

/**
 * One round of the throughput scenarios, each on a server process started for it and stopped
 * after it: the baselines, then Tessera's health/live, auth/me, auth/me without usage counting,
 * the unknown-token flood and auth/me without the cache. A fresh process per scenario means no
 * scenario inherits another's heap, JIT feedback or caches (auth/me measured after 150 000
 * health/live requests on the same process ran 15–40 % slower than on a fresh one), and the
 * usage on/off pair differs only by its switch.
 */
async function throughputRound(round, { pgServer, baselines, meBody, sample, unknown, print }) {
  const s = {};
  const tag = opt.rounds > 1 ? ` #${round}` : '';
  const measure = async (key, label, start, tokens, { path = '/api/v1/auth/me', ...options } = {}) => {
    const server = await start();
    try {
      s[key] = await load(`${label}${tag}`, server, path, tokens, options);
      s[key].label = label;
      s[key].pid = server.child.pid;
      print(loadLine({ ...s[key], label: `${label}${tag}` }));
    } finally {
      await server.stop();
    }
  };
  if (opt.only.has('bare')) {
    await measure('bare', 'bare (NestJS + Fastify, no guard)', () => startBaseline('bare', baselines.bare, { BENCH_BODY: JSON.stringify(meBody) }), sample, { warmCache: false });
  }
  if (opt.only.has('naive')) {
    for (const adapter of ['express', 'fastify']) {
      if (adapter === 'express' && !resolvable('@nestjs/platform-express')) {
        if (round === 1) print('naive-express: skipped, @nestjs/platform-express is not installed (a devDependency: run npm install)');
        continue;
      }
      // Nothing to warm: the naive guard reads the database on every request.
      const start = () => startBaseline(`naive-${adapter}`, baselines.naive, { DATABASE_URL: pgServer.url, BASELINE_ADAPTER: adapter });
      await measure(adapter === 'express' ? 'naiveExpress' : 'naiveFastify', `naive-${adapter} (passport + findOne)`, start, sample, { warmCache: false });
    }
  }
  const tessera = (env = {}) => () => startApi('Tessera', pgServer.url, env);
  if (opt.only.has('health')) await measure('health', 'Tessera GET health/live (no auth)', tessera(), null, { path: '/api/v1/health/live' });
  if (opt.only.has('me')) await measure('authCached', 'Tessera GET auth/me (cache)', tessera(), sample);
  // Right after auth/me, so the pair differs by the switch alone, not by what ran in between.
  if (opt.only.has('usage')) await measure('authNoUsage', 'Tessera GET auth/me (no usage counting)', tessera({ TESSERA_BENCH_USAGE: 'off' }), sample);
  if (opt.only.has('unknown')) await measure('unknownToken', 'Tessera unknown tokens (401)', tessera(), unknown);
  if (opt.only.has('nocache')) await measure('authNoCache', 'Tessera GET auth/me (AUTH_CACHE=off)', tessera({ AUTH_CACHE: 'off' }), sample);
  return s;
}

/** The issue's req/s ratios over one round's scenarios (null where a scenario was not run). */
function ratiosOf(s) {
  const ratio = (x, y) => (x && y ? round2(x.rps / y.rps) : null);
  return {
    authOverBare: ratio(s.authCached, s.bare),
    healthOverBare: ratio(s.health, s.bare),
    authOverNaiveExpress: ratio(s.authCached, s.naiveExpress),
    authOverNaiveFastify: ratio(s.authCached, s.naiveFastify),
    authOverUnauth: ratio(s.authCached, s.health),
    unknownOverHealth: ratio(s.unknownToken, s.health),
    cacheOverNoCache: ratio(s.authCached, s.authNoCache),
    usageCost: s.authCached && s.authNoUsage ? round2(1 - s.authCached.rps / s.authNoUsage.rps) : null,
  };
}

/** The median of `values` (the mean of the middle two for an even count); null when empty. */
function medianOf(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return round2(sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2);
}

/** Per scenario, its median round by req/s (with every round's req/s in `rounds`). */
function medians(rounds) {
  const out = {};
  for (const key of Object.keys(rounds[0] ?? {})) {
    const all = rounds.map((r) => r[key]).filter(Boolean);
    const byRps = [...all].sort((x, y) => x.rps - y.rps);
    out[key] = { ...byRps[Math.floor((byRps.length - 1) / 2)], rounds: all.map((r) => Math.round(r.rps)) };
  }
  return out;
}

// ------------------------------------------------------------------ revoke on A → 401 on B

async function revokeTrials(a, b, adminToken, trials) {
  const latencies = [];
  let missed = 0;
  for (const trial of trials) {
    // B has seen the token (cached when its cache is on).
    await expectStatus(call(b.base, 'GET', '/api/v1/auth/me', { token: trial.secret }), 200, 'trial token on B');
    await expectStatus(call(b.base, 'GET', '/api/v1/auth/me', { token: trial.secret }), 200, 'trial token on B');
    let first401 = null;
    let revokedAt = null;
    const deadline = performance.now() + 5_000;
    const poll = async () => {
      while (first401 === null && performance.now() < deadline) {
        const res = await call(b.base, 'GET', '/api/v1/auth/me', { token: trial.secret });
        if (res.status === 401) {
          if (first401 === null || res.receivedAt < first401) first401 = res.receivedAt;
        } else if (res.status !== 200) {
          throw new Error(`B answered ${res.status} while polling`);
        }
      }
    };
    const pollers = [poll(), poll()];
    await sleep(2);
    const revoke = await expectStatus(
      call(a.base, 'POST', `/api/v1/tokens/${trial.id}/revoke`, { token: adminToken }),
      200,
      'revoke on A',
    );
    revokedAt = revoke.receivedAt;
    await Promise.all(pollers);
    if (first401 === null) missed++;
    else latencies.push(Math.max(0, first401 - revokedAt));
  }
  return { latencies, missed };
}

// ------------------------------------------------------------------ token list

async function listProbe(api, adminToken, count, label) {
  const base = api.base;
  const times = [];
  let totals = 0;
  let cpu = null;
  for (let i = 0; i < count + 20; i++) {
    const word = SEARCH_WORDS[i % SEARCH_WORDS.length];
    const path = `/api/v1/tokens?q=${word}&status=active&sort=-lastUsedAt&page=3&pageSize=50`;
    const res = await expectStatus(call(base, 'GET', path, { token: adminToken }), 200, label);
    if (i === 19) cpu = { api: cpuMs(api.child.pid), db: postgresCpuMs(POSTGRES.pid) };
    if (i < 20) continue; // warm-up
    times.push(res.receivedAt - res.sentAt);
    totals += res.body.total;
  }
  // CPU per list request (ms): what the api and PostgreSQL each spend (requests are sequential).
  const apiAfter = cpuMs(api.child.pid);
  const dbAfter = postgresCpuMs(POSTGRES.pid);
  const perRequest = (before, after) => (before === null || after === null ? null : Math.round(((after - before) / count) * 100) / 100);
  return { times, meanTotal: Math.round(totals / count), apiCpuMs: perRequest(cpu?.api ?? null, apiAfter), postgresCpuMs: perRequest(cpu?.db ?? null, dbAfter) };
}

// ------------------------------------------------------------------ figures

function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
const ms = (v) => (v === null || v === undefined ? null : Math.round(v * 100) / 100);
const round2 = (v) => Math.round(v * 100) / 100;

function loadLine(r) {
  const codes = Object.entries(r.statusCodes)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
  const cpu =
    (r.apiCpuUsPerRequest === null ? '' : `   CPU µs/req: api ${String(r.apiCpuUsPerRequest).padStart(4)}`) +
    (r.apiSystemCpuUsPerRequest === null || r.apiSystemCpuUsPerRequest === undefined ? '' : ` (kernel ${String(r.apiSystemCpuUsPerRequest).padStart(3)})`) +
    (r.postgresCpuUsPerRequest === null ? '' : ` db ${String(r.postgresCpuUsPerRequest).padStart(4)}`);
  return `${r.label.padEnd(38)} ${String(Math.round(r.rps)).padStart(7)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms${cpu}   (${codes}${r.errors ? `, ${r.errors} errors` : ''})`;
}

function machine() {
  let commit = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  } catch {
    /* not a checkout */
  }
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    commit,
  };
}

// ------------------------------------------------------------------ goals (issue 10)

/** key → [direction, goal, description]; `ratios.*` are req/s ratios from this one run. */
const GOALS = [
  ['ratios.authOverBare', '>=', 0.65, 'auth/me (cache, info logs) ÷ bare'],
  ['ratios.healthOverBare', '>=', 0.85, 'health/live ÷ bare'],
  ['ratios.authOverNaiveExpress', '>=', 10, 'auth/me ÷ naive-express'],
  ['ratios.authOverNaiveFastify', '>=', 5, 'auth/me ÷ naive-fastify'],
  ['ratios.authOverUnauth', '>=', 0.85, 'auth/me ÷ health/live'],
  ['ratios.unknownOverHealth', '>=', 0.8, 'unknown-token 401 flood ÷ health/live'],
  ['ratios.cacheOverNoCache', '>=', 5, 'auth/me cache ÷ AUTH_CACHE=off'],
  ['ratios.usageCost', '<=', 0.05, '1 − auth/me with usage ÷ without'],
  ['revocation.p99Ms', '<=', 100, 'revoke on A → first 401 on B, p99 ms'],
  ['downstream.revocationP99Ms', '<=', 1000, 'revoke in Tessera → first 401 at the orders service (@tessera/nest), p99 ms'],
  ['list.p95Ms', '<=', 50, 'token list, 10 000 tokens, p95 ms'],
  ['list100k.p95Ms', '<=', 50, 'token list, 100 000 tokens in one org, p95 ms'],
];

function valueAt(results, key) {
  const [group, name] = key.split('.');
  const v = results[group]?.[name];
  return v === undefined ? null : v;
}

/** { key: { goal, measured, met, missedBy } } and one printed line per goal. */
function judge(results, print) {
  const goals = {};
  for (const [key, dir, goal, what] of GOALS) {
    const measured = valueAt(results, key);
    let met = null;
    let missedBy = null;
    if (measured !== null) {
      met = dir === '>=' ? measured >= goal : measured <= goal;
      if (!met) {
        const gap = Math.abs(measured - goal);
        // by how much: the gap, and for ratios the relative shortfall of the numerator
        missedBy = dir === '>=' ? `${round2(gap)} short (${Math.round((gap / goal) * 100)} % below the goal)` : `${round2(gap)} over (${Math.round((gap / goal) * 100)} % above the goal)`;
      }
    }
    goals[key] = { goal: `${dir} ${goal}`, measured, met, missedBy };
    const verdict = measured === null ? 'not measured' : met ? 'met' : `MISSED by ${missedBy}`;
    const [group, name] = key.split('.');
    const perRound = group === 'ratios' && (results.ratiosPerRound?.length ?? 0) > 1 ? `   rounds [${results.ratiosPerRound.map((r) => r[name] ?? '–').join(', ')}]` : '';
    print(`${key.padEnd(28)} ${String(measured ?? '–').padStart(7)}   goal ${dir.replace('>=', '≥').replace('<=', '≤')} ${String(goal).padEnd(5)} ${verdict}   (${what})${perRound}`);
  }
  return goals;
}

// ------------------------------------------------------------------ main

async function main() {
  const started = Date.now();
  const results = {
    date: new Date().toISOString(),
    machine: machine(),
    options: { ...opt, only: [...opt.only] },
    // Everything shares the machine's cores: its load says how noisy the figures are.
    loadAverage: { atStart: loadavg().map(round2) },
  };
  delete results.options.out;

  await ensureBuild();
  const ordersMain = opt.only.has('downstream') ? await ensureExampleBuild(ROOT, opt.build, log) : null;
  const baselines = buildBaselines(ROOT);
  const pgServer = await startPostgres();
  log(`embedded PostgreSQL (pid ${pgServer.pid}) on 127.0.0.1:${pgServer.port}`);
  POSTGRES.pid = pgServer.pid ?? null;

  const a = await startApi('api A', pgServer.url);
  const db = await connect(pgServer.url);
  let adminToken = (await expectStatus(call(a.base, 'POST', '/api/v1/auth/login', { body: ADMIN }), 200, 'admin login')).body.token;
  const orgs = await seedOrganizations(a.base, adminToken, db);
  const spread = orgs.filter((o) => !o.big);
  const big = orgs.find((o) => o.big);
  const { sample, trials } = await seedTokens(db, spread, { total: opt.tokens, sampleSize: opt.sample, trialCount: opt.trials, log });
  if (opt.only.has('list100k') && opt.big > 0) await seedTokens(db, [big], { total: opt.big, sampleSize: 0, trialCount: 0, log });
  // Settle the freshly written table now, so autovacuum does not start on it during a scenario.
  await db.query('VACUUM (ANALYZE) tokens');
  await db.end();
  const unknown = Array.from({ length: opt.sample }, () => generateSecret('tsr'));
  let meBody = null;
  for (const secret of sample.slice(0, 20)) meBody = (await expectStatus(call(a.base, 'GET', '/api/v1/auth/me', { token: secret }), 200, 'seeded token')).body;
  await expectStatus(call(a.base, 'GET', '/api/v1/auth/me', { token: unknown[0] }), 401, 'unknown token');
  log(`${sample.length} seeded tokens and ${unknown.length} unknown ones for the load; ${trials.length} for revoke trials`);

  const lines = [];
  const print = (line) => {
    lines.push(line);
    process.stdout.write(`${line}\n`);
  };
  const m = results.machine;
  process.stdout.write(
    `\nTessera bench — ${m.cpus} CPUs (${m.cpuModel}), node ${m.node}, ${opt.tokens} tokens (+${opt.big} in one org), ${opt.connections} connections, ${opt.duration} s per scenario, load average ${results.loadAverage.atStart.join(' ')}\n`,
  );
  const s = {};
  results.scenarios = s;

  const details = {};
  if (opt.only.has('list')) {
    details.list = listFigures(await listProbe(a, adminToken, opt.list, 'token list'), '10 000 tokens');
  }
  if (opt.only.has('list100k') && big) {
    const bigAdmin = (await expectStatus(call(a.base, 'POST', '/api/v1/auth/login', { body: BIG_ADMIN }), 200, 'big org admin login')).body.token;
    details.list100k = listFigures(await listProbe(a, bigAdmin, opt.list, 'token list (100 000)'), `${opt.big} tokens in one organization`);
  }
  if (opt.only.has('revoke') && trials.length > 0) {
    const b = await startApi('api B', pgServer.url);
    const { latencies, missed } = await revokeTrials(a, b, adminToken, trials);
    details.revocation = {
      trials: trials.length,
      missed,
      p50Ms: ms(percentile(latencies, 50)),
      p95Ms: ms(percentile(latencies, 95)),
      p99Ms: missed > 0 ? null : ms(percentile(latencies, 99)),
      maxMs: ms(percentile(latencies, 100)),
    };
    await b.stop();
  }
  if (ordersMain && opt.downstream > 0) {
    const orders = await startOrdersService(ROOT, ordersMain, a, adminToken, log);
    try {
      const { latencies, missed } = await downstreamTrials(a, orders, adminToken, opt.downstream);
      details.downstream = {
        trials: opt.downstream,
        missed,
        p50Ms: ms(percentile(latencies, 50)),
        p95Ms: ms(percentile(latencies, 95)),
        p99Ms: missed > 0 ? null : ms(percentile(latencies, 99)),
        maxMs: ms(percentile(latencies, 100)),
      };
    } finally {
      await orders.stop();
    }
  }
  await a.stop();
  if (args['api-tail']) log(`last lines of api A:\n${a.child.output().split('\n').slice(-Number(args['api-tail'])).join('\n')}`);

  // Throughput: every scenario on a process of its own, started for it (as the baselines always
  // were), in rounds; each scenario's figure is its median round by req/s.
  const rounds = [];
  for (let round = 1; round <= opt.rounds; round++) {
    log(`round ${round} of ${opt.rounds}`);
    rounds.push(await throughputRound(round, { pgServer, baselines, meBody, sample, unknown, print }));
  }
  Object.assign(s, medians(rounds));
  if (opt.rounds > 1) {
    print('');
    print(`median of ${opt.rounds} rounds (req/s of every round in brackets):`);
    for (const r of Object.values(s)) print(`${loadLine(r)}   [${r.rounds.join(', ')}]`);
  }
  results.loadAverage.atEnd = loadavg().map(round2);

  // Each ratio per round (its two scenarios ran a minute apart, on the same machine state), then
  // its median over the rounds: the machine's drift between rounds cancels out.
  const perRound = rounds.map(ratiosOf);
  results.ratios = Object.fromEntries(
    Object.keys(perRound[0] ?? ratiosOf({})).map((key) => [key, medianOf(perRound.map((r) => r[key]).filter((v) => v !== null))]),
  );
  results.ratiosPerRound = perRound;
  results.revocation = { p99Ms: details.revocation?.p99Ms ?? null };
  results.downstream = { revocationP99Ms: details.downstream?.p99Ms ?? null };
  results.list = { p95Ms: details.list?.p95Ms ?? null };
  results.list100k = { p95Ms: details.list100k?.p95Ms ?? null };
  results.details = details;

  if (details.revocation) {
    const r = details.revocation;
    print(`${'revoke on A → 401 on B'.padEnd(38)} p50 ${r.p50Ms} ms   p95 ${r.p95Ms} ms   p99 ${r.p99Ms} ms   max ${r.maxMs} ms   (${r.trials} trials, ${r.missed} missed)`);
  }
  if (details.downstream) {
    const r = details.downstream;
    print(`${'revoke → 401 at the orders service'.padEnd(38)} p50 ${r.p50Ms} ms   p95 ${r.p95Ms} ms   p99 ${r.p99Ms} ms   max ${r.maxMs} ms   (${r.trials} trials, ${r.missed} missed)`);
  }
  for (const [key, label] of [['list', 'token list, 10 000 tokens'], ['list100k', `token list, ${opt.big} tokens in one org`]]) {
    const l = details[key];
    if (l) print(`${label.padEnd(38)} p50 ${l.p50Ms} ms   p95 ${l.p95Ms} ms   p99 ${l.p99Ms} ms   CPU ms/req: api ${l.apiCpuMsPerRequest} db ${l.postgresCpuMsPerRequest}   (${l.requests} requests, ~${l.matchingTokens} matches)`);
  }
  print('');
  results.goals = judge(results, print);
  print(`load average at start ${results.loadAverage.atStart.join(' ')}, at end ${results.loadAverage.atEnd.join(' ')}`);
  results.lines = lines;
  results.seconds = Math.round((Date.now() - started) / 1000);
  mkdirSync(dirname(opt.out), { recursive: true });
  writeFileSync(opt.out, `${JSON.stringify(results, null, 2)}\n`);
  log(`figures written to ${opt.out} (${results.seconds} s)`);
  adminToken = null;
}

function listFigures({ times, meanTotal, apiCpuMs, postgresCpuMs }, what) {
  return {
    requests: times.length,
    matchingTokens: meanTotal,
    apiCpuMsPerRequest: apiCpuMs,
    postgresCpuMsPerRequest: postgresCpuMs,
    p50Ms: ms(percentile(times, 50)),
    p95Ms: ms(percentile(times, 95)),
    p99Ms: ms(percentile(times, 99)),
    query: `q=<word>&status=active&sort=-lastUsedAt&page=3&pageSize=50 (${what})`,
  };
}

let exitCode = 0;
const interrupt = (signal) => {
  log(`${signal}: stopping everything`);
  void stopAll().finally(() => process.exit(130));
};
process.once('SIGINT', interrupt);
process.once('SIGTERM', interrupt);
try {
  await main();
} catch (err) {
  exitCode = 1;
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  closeHttp();
  await stopAll();
  rmSync(LOAD_DIR, { recursive: true, force: true });
}
process.exit(exitCode);
