// Prints the markdown tables of docs/performance.md and the README from a bench result:
// node tools/bench/table.mjs [bench/results/latest.json]
import { readFileSync } from 'node:fs';

const r = JSON.parse(readFileSync(process.argv[2] ?? 'bench/results/latest.json', 'utf8'));
const n = (v) => (v === null || v === undefined ? '–' : Math.round(v).toLocaleString('en').replace(/,/g, ' '));
const rows = [
  ['bare', '`bare`: NestJS + Fastify, one route, no guard, no logs'],
  ['naiveExpress', '`naive-express`: passport-http-bearer + TypeORM `findOne` per request, Express'],
  ['naiveFastify', '`naive-fastify`: the same on Fastify'],
  ['health', 'Tessera `GET health/live` (no auth)'],
  ['authCached', 'Tessera `GET auth/me`, cache on'],
  ['authNoUsage', 'Tessera `GET auth/me`, no usage counting (bench-only)'],
  ['unknownToken', 'Tessera, well-formed unknown tokens (401)'],
  ['authNoCache', 'Tessera `GET auth/me`, `AUTH_CACHE=off`'],
];
console.log('| scenario | req/s (median round) | every round, req/s | p50 | p99 | api CPU / request | of which kernel | PostgreSQL CPU / request |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const [key, label] of rows) {
  const s = r.scenarios?.[key];
  if (!s) continue;
  const rounds = (s.rounds ?? [s.rps]).map(n).join(', ');
  console.log(`| ${label} | ${n(s.rps)} | ${rounds} | ${s.p50} ms | ${s.p99} ms | ${n(s.apiCpuUsPerRequest)} µs | ${n(s.apiSystemCpuUsPerRequest)} µs | ${n(s.postgresCpuUsPerRequest)} µs |`);
}
console.log('');
console.log('| key | measured | goal | |');
console.log('|---|---:|---|---|');
for (const [key, g] of Object.entries(r.goals ?? {})) {
  const verdict = g.met === null ? 'not measured' : g.met ? 'met' : `**missed** by ${g.missedBy}`;
  console.log(`| \`${key}\` | ${g.measured ?? '–'} | ${g.goal.replace('>=', '≥').replace('<=', '≤')} | ${verdict} |`);
}
const d = r.details ?? {};
console.log('');
if (d.revocation) console.log(`revocation: p50 ${d.revocation.p50Ms} ms, p95 ${d.revocation.p95Ms} ms, p99 ${d.revocation.p99Ms} ms, max ${d.revocation.maxMs} ms, ${d.revocation.missed} of ${d.revocation.trials} missed`);
for (const k of ["list", "list100k"]) if (d[k]) console.log(`${k}: p50 ${d[k].p50Ms} ms, p95 ${d[k].p95Ms} ms, p99 ${d[k].p99Ms} ms, ~${d[k].matchingTokens} matches, CPU per request api ${d[k].apiCpuMsPerRequest} ms, PostgreSQL ${d[k].postgresCpuMsPerRequest} ms`);
console.log(`date ${r.date}, commit ${r.machine?.commit}, ${r.machine?.cpus} CPUs ${r.machine?.cpuModel}, ${r.machine?.memoryGiB} GiB, node ${r.machine?.node}; load average ${r.loadAverage?.atStart?.join(' ')} → ${r.loadAverage?.atEnd?.join(' ')}; ${r.seconds} s`);
