#!/usr/bin/env node
// Tessera api benchmark (`npm run bench`). Not a test: it measures, prints and writes
// bench/results/latest.json. Everything runs on 127.0.0.1:
//   1. builds the api for production unless dist/apps/api/main.js is newer than its sources;
//   2. starts a throw-away embedded PostgreSQL and the api (`node dist/apps/api/main.js`);
//   3. seeds 10 organizations and 100 000 tokens (straight into the migrated schema);
//   4. drives the api with autocannon from a separate process (50 connections, 10 s per scenario
//      after a warm-up, thousands of distinct tokens in turn) for: health/live, auth/me with the
//      cache, auth/me with AUTH_CACHE=off, well-formed unknown tokens (401);
//   5. times revoke on instance A → first 401 on instance B (two api processes, one database);
//   6. times a filtered, sorted, paged token list of an organization with 10 000 tokens.
// Every process it starts is stopped by PID at the end, on error and on Ctrl-C.
//
// Options: --tokens=100000 --sample=5000 --connections=50 --duration=10 --warmup=3 --trials=200
//          --list=200 --only=health,me,unknown,nocache,revoke,list --no-build --out=<file>
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { call, closeHttp, expectStatus } from './lib/http.mjs';
import { freePort, runChild, startChild, startPostgres, stopAll } from './lib/processes.mjs';
import { generateSecret } from './lib/secrets.mjs';
import { ADMIN, connect, SEARCH_WORDS, seedOrganizations, seedTokens } from './lib/seed.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(ROOT, 'dist/apps/api/main.js');

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
const opt = {
  tokens: Number(args.tokens ?? 100_000),
  sample: Number(args.sample ?? 5_000),
  connections: Number(args.connections ?? 50),
  duration: Number(args.duration ?? 10),
  warmup: Number(args.warmup ?? 3),
  trials: Number(args.trials ?? 200),
  list: Number(args.list ?? 200),
  only: new Set((args.only ?? 'health,me,unknown,nocache,revoke,list').split(',')),
  build: args['no-build'] === undefined,
  out: resolve(ROOT, args.out ?? 'bench/results/latest.json'),
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
    // 'error': the 401 path would otherwise write a warn line per refused request.
    LOG_LEVEL: 'error',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    // Every load comes from 127.0.0.1: keep the failed-authentication limiter from answering 429
    // during the unknown-token scenario (the 401 path is what is measured).
    AUTH_FAILURE_LIMIT: '100000',
    AUTH_FAILURE_WINDOW_SECONDS: '1',
    ...extraEnv,
  };
  const child = startChild(name, process.execPath, [MAIN], { cwd: ROOT, env });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (!child.running) throw new Error(`${name} exited while starting:\n${child.output()}`);
    try {
      const res = await call(base, 'GET', '/api/v1/health/live', { timeoutMs: 2_000 });
      if (res.status === 200) {
        log(`${name} (pid ${child.pid}) listening on ${base}${extraEnv.AUTH_CACHE ? ` AUTH_CACHE=${extraEnv.AUTH_CACHE}` : ''}`);
        return { name, base, child, stop: () => child.stop() };
      }
    } catch {
      /* not yet */
    }
    await sleep(200);
  }
  throw new Error(`${name} did not answer health/live within 120 s:\n${child.output()}`);
}

// ------------------------------------------------------------------ load (autocannon, own process)

/** The embedded PostgreSQL of this run ({ pid } of its postmaster), for CPU accounting. */
const POSTGRES = { pid: null };
const LOAD_DIR = join(tmpdir(), `tessera-bench-load-${process.pid}`);

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux). */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime in clock ticks (USER_HZ 100)
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
async function load(label, api, path, tokens) {
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
  if (tokens) await prime(api, path, tokens);
  if (opt.warmup > 0) await runOnce(opt.warmup);
  const cpuBefore = cpuMs(api.child.pid);
  const pgBefore = postgresCpuMs(POSTGRES.pid);
  const result = await runOnce(opt.duration);
  const cpuAfter = cpuMs(api.child.pid);
  const pgAfter = postgresCpuMs(POSTGRES.pid);
  result.label = label;
  result.postgresCpuUsPerRequest =
    pgBefore === null || pgAfter === null || result.requests === 0 ? null : Math.round(((pgAfter - pgBefore) * 1000) / result.requests);
  result.apiCpuUsPerRequest =
    cpuBefore === null || cpuAfter === null || result.requests === 0
      ? null
      : Math.round(((cpuAfter - cpuBefore) * 1000) / result.requests);
  return result;
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

async function listProbe(base, adminToken, count) {
  const times = [];
  let totals = 0;
  for (let i = 0; i < count + 20; i++) {
    const word = SEARCH_WORDS[i % SEARCH_WORDS.length];
    const path = `/api/v1/tokens?q=${word}&status=active&sort=-lastUsedAt&page=3&pageSize=50`;
    const res = await expectStatus(call(base, 'GET', path, { token: adminToken }), 200, 'token list');
    if (i < 20) continue; // warm-up
    times.push(res.receivedAt - res.sentAt);
    totals += res.body.total;
  }
  return { times, meanTotal: Math.round(totals / count) };
}

// ------------------------------------------------------------------ figures

function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
const ms = (v) => (v === null || v === undefined ? null : Math.round(v * 100) / 100);

function loadLine(r) {
  const codes = Object.entries(r.statusCodes)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
  const cpu =
    (r.apiCpuUsPerRequest === null ? '' : `   CPU µs/req: api ${String(r.apiCpuUsPerRequest).padStart(4)}`) +
    (r.postgresCpuUsPerRequest === null ? '' : ` db ${String(r.postgresCpuUsPerRequest).padStart(4)}`);
  return `${r.label.padEnd(34)} ${String(Math.round(r.rps)).padStart(7)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms${cpu}   (${codes}${r.errors ? `, ${r.errors} errors` : ''})`;
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

// ------------------------------------------------------------------ main

async function main() {
  const started = Date.now();
  const results = { date: new Date().toISOString(), machine: machine(), options: { ...opt, only: [...opt.only] } };
  delete results.options.out;

  await ensureBuild();
  const pgServer = await startPostgres();
  log(`embedded PostgreSQL (pid ${pgServer.pid}) on 127.0.0.1:${pgServer.port}`);
  POSTGRES.pid = pgServer.pid ?? null;

  let a = await startApi('api A', pgServer.url);
  const db = await connect(pgServer.url);
  let adminToken = (await expectStatus(call(a.base, 'POST', '/api/v1/auth/login', { body: ADMIN }), 200, 'admin login')).body.token;
  const orgs = await seedOrganizations(a.base, adminToken, db);
  const { sample, trials } = await seedTokens(db, orgs, { total: opt.tokens, sampleSize: opt.sample, trialCount: opt.trials, log });
  await db.end();
  const unknown = Array.from({ length: opt.sample }, () => generateSecret('tsr'));
  for (const secret of sample.slice(0, 20)) await expectStatus(call(a.base, 'GET', '/api/v1/auth/me', { token: secret }), 200, 'seeded token');
  await expectStatus(call(a.base, 'GET', '/api/v1/auth/me', { token: unknown[0] }), 401, 'unknown token');
  log(`${sample.length} seeded tokens and ${unknown.length} unknown ones for the load; ${trials.length} for revoke trials`);

  const lines = [];
  const print = (line) => {
    lines.push(line);
    process.stdout.write(`${line}\n`);
  };
  process.stdout.write(`\nTessera bench — ${results.machine.cpus} CPUs (${results.machine.cpuModel}), node ${results.machine.node}, ${opt.tokens} tokens, ${opt.connections} connections, ${opt.duration} s per scenario\n`);

  if (opt.only.has('health')) {
    results.health = await load('GET health/live (no auth)', a, '/api/v1/health/live');
    print(loadLine(results.health));
  }
  if (opt.only.has('me')) {
    results.authCached = await load('GET auth/me (cache)', a, '/api/v1/auth/me', sample);
    print(loadLine(results.authCached));
  }
  if (opt.only.has('unknown')) {
    results.unknownToken = await load('GET auth/me unknown token (401)', a, '/api/v1/auth/me', unknown);
    print(loadLine(results.unknownToken));
  }
  if (opt.only.has('list')) {
    const { times, meanTotal } = await listProbe(a.base, adminToken, opt.list);
    results.tokenList = {
      requests: times.length,
      matchingTokens: meanTotal,
      p50: ms(percentile(times, 50)),
      p95: ms(percentile(times, 95)),
      p99: ms(percentile(times, 99)),
      query: 'q=<word>&status=active&sort=-lastUsedAt&page=3&pageSize=50 (org with 10 000 tokens)',
    };
  }
  if (opt.only.has('revoke') && trials.length > 0) {
    const b = await startApi('api B', pgServer.url);
    const { latencies, missed } = await revokeTrials(a, b, adminToken, trials);
    results.revoke = {
      trials: trials.length,
      missed,
      p50: ms(percentile(latencies, 50)),
      p95: ms(percentile(latencies, 95)),
      p99: ms(percentile(latencies, 99)),
      max: ms(percentile(latencies, 100)),
    };
    await b.stop();
  }
  if (opt.only.has('nocache')) {
    await a.stop();
    a = await startApi('api A', pgServer.url, { AUTH_CACHE: 'off' });
    results.authNoCache = await load('GET auth/me (AUTH_CACHE=off)', a, '/api/v1/auth/me', sample);
    print(loadLine(results.authNoCache));
  }
  await a.stop();

  const ratios = {};
  if (results.health && results.authCached) ratios.authOverUnauth = Math.round((results.authCached.rps / results.health.rps) * 100) / 100;
  if (results.authCached && results.authNoCache) ratios.cacheOverNoCache = Math.round((results.authCached.rps / results.authNoCache.rps) * 100) / 100;
  // The same ratios from the api's CPU time per request (capacity if the api had a core to itself).
  const cpu = (r) => r?.apiCpuUsPerRequest ?? null;
  if (cpu(results.health) && cpu(results.authCached)) ratios.cpuAuthOverUnauth = Math.round((cpu(results.health) / cpu(results.authCached)) * 100) / 100;
  if (cpu(results.authCached) && cpu(results.authNoCache)) ratios.cpuCacheOverNoCache = Math.round((cpu(results.authNoCache) / cpu(results.authCached)) * 100) / 100;
  results.ratios = ratios;
  if (ratios.authOverUnauth !== undefined) print(`${'ratio auth/unauth'.padEnd(34)} ${ratios.authOverUnauth.toFixed(2)}   (goal ≥ 0.85)`);
  if (ratios.cacheOverNoCache !== undefined) print(`${'ratio cache/no-cache'.padEnd(34)} ${ratios.cacheOverNoCache.toFixed(2)}   (goal ≥ 5)`);
  if (ratios.cpuAuthOverUnauth !== undefined) print(`${'ratio auth/unauth by api CPU'.padEnd(34)} ${ratios.cpuAuthOverUnauth.toFixed(2)}   (health µs/req ÷ auth/me µs/req)`);
  if (ratios.cpuCacheOverNoCache !== undefined) print(`${'ratio cache/no-cache by api CPU'.padEnd(34)} ${ratios.cpuCacheOverNoCache.toFixed(2)}   (api only; PostgreSQL's CPU not counted)`);
  if (results.revoke) {
    const r = results.revoke;
    print(`${'revoke on A → 401 on B'.padEnd(34)} p50 ${r.p50} ms   p95 ${r.p95} ms   p99 ${r.p99} ms   max ${r.max} ms   (${r.trials} trials, ${r.missed} missed; goal p99 ≤ 100 ms)`);
  }
  if (results.tokenList) {
    const l = results.tokenList;
    print(`${'token list (filter, sort, page)'.padEnd(34)} p50 ${l.p50} ms   p95 ${l.p95} ms   p99 ${l.p99} ms   (${l.requests} requests, ~${l.matchingTokens} matches; goal p95 ≤ 50 ms)`);
  }
  results.goals = {
    authOverUnauth: ratios.authOverUnauth === undefined ? null : ratios.authOverUnauth >= 0.85,
    cacheOverNoCache: ratios.cacheOverNoCache === undefined ? null : ratios.cacheOverNoCache >= 5,
    revokeP99: results.revoke ? results.revoke.missed === 0 && results.revoke.p99 <= 100 : null,
    listP95: results.tokenList ? results.tokenList.p95 <= 50 : null,
  };
  results.lines = lines;
  results.seconds = Math.round((Date.now() - started) / 1000);
  mkdirSync(dirname(opt.out), { recursive: true });
  writeFileSync(opt.out, `${JSON.stringify(results, null, 2)}\n`);
  log(`figures written to ${opt.out} (${results.seconds} s)`);
  adminToken = null;
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
