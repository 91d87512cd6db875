#!/usr/bin/env node
// Benchmark of @tessera/domain hot paths (not a test): `npm run bench:domain`.
// Bundles libs/domain with esbuild into a temp file, then measures on one core:
// IPv4 and IPv6 lookups against 10 000-rule matchers, and permission checks.
import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = buildSync({
  entryPoints: [join(root, 'libs/domain/src/index.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  write: false,
  logLevel: 'error',
});
const dir = mkdtempSync(join(tmpdir(), 'tessera-domain-bench-'));
const file = join(dir, 'domain.mjs');
writeFileSync(file, out.outputFiles[0].text);
const domain = await import(pathToFileURL(file).href);
rmSync(dir, { recursive: true, force: true });

const {
  createIpMatcher,
  compilePermissions,
  permissionGrants,
  compileAccessRules,
  decideAccess,
  generateTokenSecret,
  isWellFormedTokenSecret,
} = domain;

// Deterministic pseudo-random numbers (xorshift32), so runs compare.
let seed = 0x2545f491;
function rand32() {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}
const hex = (n) => (n & 0xffff).toString(16);
const v4 = (n) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

function v4Rule() {
  const prefix = 16 + (rand32() % 17); // /16../32
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const addr = (rand32() & mask) >>> 0;
  return prefix === 32 ? v4(addr) : `${v4(addr)}/${prefix}`;
}
function v6Rule() {
  // 2001:db8:XXXX:XXXX::/64 networks and single addresses
  const a = rand32();
  const b = rand32();
  return rand32() % 4 === 0
    ? `2001:db8:${hex(a)}:${hex(a >>> 16)}:${hex(b)}::${hex(b >>> 16)}`
    : `2001:db8:${hex(a)}:${hex(a >>> 16)}::/64`;
}

/**
 * Runs fn(i) in a loop for ~durationMs after a warm-up. Each benchmark gets its
 * own copy of the loop (new Function), so its call site stays monomorphic and
 * one benchmark's closures do not slow the next. Rates are per CPU-second of
 * this process (user + system), so other work on the machine skews them less;
 * the wall-clock rate is shown beside them.
 */
function measure(fn, durationMs = 1500) {
  const loop = new Function(
    'fn',
    'durationMs',
    `
    let sink = 0;
    for (let i = 0; i < 200000; i++) sink += fn(i) ? 1 : 0;
    let calls = 0;
    const cpu0 = process.cpuUsage();
    const start = process.hrtime.bigint();
    const end = start + BigInt(durationMs) * 1000000n;
    let now = start;
    while (now < end) {
      for (let i = 0; i < 100000; i++) sink += fn(calls + i) ? 1 : 0;
      calls += 100000;
      now = process.hrtime.bigint();
    }
    const cpu = process.cpuUsage(cpu0);
    return { calls, wall: Number(now - start) / 1e9, cpu: (cpu.user + cpu.system) / 1e6, sink };
  `,
  );
  const { calls, wall, cpu, sink } = loop(fn, durationMs);
  return { perSecond: calls / Math.min(cpu, wall), perWallSecond: calls / wall, sink };
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const results = [];
function report(name, goal, fn) {
  const { perSecond, perWallSecond, sink } = measure(fn);
  results.push({ name, perSecond, goal });
  const verdict = goal
    ? perSecond >= goal
      ? `ok (goal ≥ ${fmt(goal)})`
      : `BELOW goal ≥ ${fmt(goal)}`
    : '';
  const wall = `(wall ${fmt(perWallSecond)})`;
  console.log(
    `${name.padEnd(52)} ${fmt(perSecond).padStart(12)} /s ${wall.padEnd(20)} ${verdict}${sink < 0 ? '!' : ''}`,
  );
}

const N = 10_000;
const v4Rules = Array.from({ length: N }, v4Rule);
const v6Rules = Array.from({ length: N }, v6Rule);
let t = performance.now();
const m4 = createIpMatcher(v4Rules);
const build4 = performance.now() - t;
t = performance.now();
const m6 = createIpMatcher(v6Rules);
const build6 = performance.now() - t;

// Lookup inputs: half inside some rule, half random.
const v4Inputs = Array.from({ length: 4096 }, (_, i) => {
  if (i % 2 === 0) return v4(rand32());
  const r = v4Rules[rand32() % N];
  const [addr, p] = r.split('/');
  const parts = addr.split('.').map(Number);
  const base = ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
  const host = p ? rand32() & ((1 << (32 - Number(p))) - 1 || 0) : 0;
  return v4((base | host) >>> 0);
});
const v6Inputs = Array.from({ length: 4096 }, (_, i) => {
  if (i % 2 === 0) {
    const a = rand32();
    const b = rand32();
    return `2001:db8:${hex(a)}:${hex(a >>> 16)}:${hex(b)}:${hex(b >>> 16)}:${hex(rand32())}:1`;
  }
  const r = v6Rules[rand32() % N];
  return r.endsWith('/64')
    ? r.replace('::/64', `:${hex(rand32())}:${hex(rand32())}:${hex(rand32())}:${hex(rand32())}`)
    : r;
});
const hits4 = v4Inputs.filter((ip) => m4.matches(ip)).length;
const hits6 = v6Inputs.filter((ip) => m6.matches(ip)).length;

console.log(`@tessera/domain bench — node ${process.version}, one core`);
console.log(
  `built 10 000-rule matchers: IPv4 ${build4.toFixed(0)} ms, IPv6 ${build6.toFixed(0)} ms; ` +
    `hit rate IPv4 ${((hits4 / 4096) * 100).toFixed(0)}%, IPv6 ${((hits6 / 4096) * 100).toFixed(0)}%`,
);
report('IPv4 lookups, 10 000-rule matcher', 2_000_000, (i) => m4.matches(v4Inputs[i & 4095]));
report('IPv6 lookups, 10 000-rule matcher', 500_000, (i) => m6.matches(v6Inputs[i & 4095]));
const mapped = v4Inputs.map((ip) => `::ffff:${ip}`);
report('IPv4-mapped IPv6 lookups, 10 000-rule IPv4 matcher', 0, (i) =>
  m4.matches(mapped[i & 4095]),
);

const granted = ['tokens:read', 'tokens:write', 'roles:*', '*:read', 'audit:read', 'users:write'];
const required = [
  'tokens:read',
  'roles:write',
  'users:read',
  'sessions:write',
  'tokens:introspect',
  'audit:read',
  'organizations:read',
  'users:write',
];
const set = compilePermissions(granted);
report('permission checks, compiled PermissionSet', 10_000_000, (i) => set.grants(required[i & 7]));
report('permission checks, permissionGrants(list, p)', 0, (i) =>
  permissionGrants(granted, required[i & 7]),
);

// The whole decision the guard takes per request, with typical rules.
const subject = {
  active: true,
  revokedAt: null,
  validFrom: null,
  validTo: new Date(Date.now() + 86_400_000),
  rules: compileAccessRules({
    permissions: granted,
    allowedIps: ['10.0.0.0/8', '192.168.0.0/16', '2001:db8::/32'],
    blockedIps: ['10.66.0.0/16'],
    allowedEndpoints: ['* /api/v1/**'],
    blockedEndpoints: ['DELETE /api/v1/tokens/*'],
    allowedOrigins: ['https://app.example.com'],
  }),
};
const org = createIpMatcher(['10.0.0.0/8', '2001:db8::/32']);
const requests = Array.from({ length: 64 }, (_, i) => ({
  method: i % 5 === 0 ? 'POST' : 'GET',
  path: i % 3 === 0 ? '/api/v1/tokens' : `/api/v1/tokens/${i}`,
  ip: i % 2 ? `10.${i}.1.${i}` : `2001:db8::${i}`,
  origin: i % 4 === 0 ? 'https://app.example.com' : null,
  requiredPermission: required[i & 7],
  now: new Date(),
}));
report(
  'decideAccess, typical token rules',
  0,
  (i) => decideAccess(subject, requests[i & 63], org).allowed,
);
const secrets = Array.from({ length: 64 }, () => generateTokenSecret());
report('isWellFormedTokenSecret (format + CRC32)', 0, (i) =>
  isWellFormedTokenSecret(secrets[i & 63]),
);

const missed = results.filter((r) => r.goal && r.perSecond < r.goal);
if (missed.length) console.log(`\n${missed.length} goal(s) missed on this machine.`);
