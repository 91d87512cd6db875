import { isValidIpRule, normalizeIpRule } from '@tessera/domain';
import { z } from 'zod';

/** How far X-Forwarded-For is believed. See auth/client-ip.ts. */
export type TrustProxy = { mode: 'none' } | { mode: 'hops'; hops: number } | { mode: 'cidrs'; rules: string[] };

export interface AppConfig {
  port: number;
  host: string;
  /** The owner role: runs the migrations (and grants the runtime role). null → embedded PostgreSQL in `${dataDir}/postgres`. */
  databaseUrl: string | null;
  /**
   * The role the api serves under (no UPDATE/DELETE/TRUNCATE on audit tables, owns nothing).
   * null with a databaseUrl → served under the owner, with a warning at start (docs/operations.md
   * "Two database roles"). The embedded server always has one (database/embedded-postgres.ts).
   */
  databaseRuntimeUrl: string | null;
  dataDir: string;
  embeddedPgPort: number | null;
  adminEmail: string;
  adminPassword: string | null;
  trustProxy: TrustProxy;
  permissionsFile: string | null;
  /** The console's address as people open it (links in invitation e-mails). null → the request's own host. */
  publicUrl: string | null;
  /** `smtp://user:pass@host:port` or `smtps://…`: invitation links are e-mailed through it. null → shown in the console only. */
  smtpUrl: string | null;
  /** From address of invitation e-mails. */
  smtpFrom: string;
  authCache: boolean;
  /**
   * While the database is unreachable, credentials cached (and valid) when it went away keep being
   * answered from the cache for at most this long. 0 (default): every request that needs the
   * database answers 503. See docs/operations.md "Database outages" for the risk.
   */
  authStaleOnOutageSeconds: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `auto`: pretty lines on a terminal, JSON otherwise (app/logging.ts). */
  logFormat: 'pretty' | 'json' | 'auto';
  adminDist: string;
  /** Serve the console from adminDist at `/` (off in tests). */
  serveAdmin: boolean;
  /** Failed authentications per IPv4 address or IPv6 /64 within the window before 429. */
  authFailureLimit: number;
  authFailureWindowSeconds: number;
  /** Failed logins per account (email, case-insensitive) within the window before 429. */
  authAccountFailureLimit: number;
  authAccountFailureWindowSeconds: number;
  /**
   * Most keys each per-key structure of the guard keeps (least recently used dropped first): the
   * verification cache (credentials and unknown secrets), the failure counters per address bucket
   * and per account. Bounds the api's memory under a flood (docs/operations.md "Memory").
   */
  authTrackedKeys: number;
  /** argon2 computations at once; the rest wait in a queue of at most passwordHashQueue, then 503. */
  passwordHashConcurrency: number;
  passwordHashQueue: number;
  /** How often usage data and refused-authentication audit rows are written. */
  flushIntervalMs: number;
  /** Session lifetime (3 hours). */
  sessionTtlSeconds: number;
  /**
   * Bench only (`TESSERA_BENCH_USAGE=off`, `npm run bench`): false stops counting last use, so the
   * bench can put a figure on what usage bookkeeping costs. Unset means on; never set it in use.
   */
  usageCounting?: boolean;
}

/** Injection token for the validated configuration: `@Inject(APP_CONFIG) config: AppConfig`. */
export const APP_CONFIG = Symbol('APP_CONFIG');

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

const NAMED_PROXY_RANGES: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = (raw ?? '').trim();
  if (value === '' || value === 'false' || value === 'none' || value === '0') return { mode: 'none' };
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 32) throw new Error('hop count must be 0..32');
    return { mode: 'hops', hops };
  }
  const rules: string[] = [];
  for (const item of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const named = NAMED_PROXY_RANGES[item.toLowerCase()];
    if (named) rules.push(...named);
    else if (isValidIpRule(item)) rules.push(normalizeIpRule(item));
    else throw new Error(`'${item}' is neither a hop count, an IP address, a CIDR nor loopback|linklocal|uniquelocal`);
  }
  return { mode: 'cidrs', rules };
}

const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().min(1);
const onOff = z
  .enum(['on', 'off', 'true', 'false', '1', '0'])
  .transform((v) => v === 'on' || v === 'true' || v === '1');

const envSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_RUNTIME_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  EMBEDDED_PG_PORT: port.optional(),
  ADMIN_EMAIL: z.string().trim().toLowerCase().pipe(z.email()).default('admin@tessera.local'),
  ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').max(200).optional(),
  TRUST_PROXY: z.string().optional(),
  PERMISSIONS_FILE: z.string().min(1).optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  SMTP_FROM: z.string().min(3).max(200).default('Tessera <tessera@localhost>'),
  AUTH_CACHE: onOff.default(true),
  AUTH_STALE_ON_OUTAGE_SECONDS: z.coerce.number().int().min(0).max(86400).default(0),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['pretty', 'json']).optional(),
  ADMIN_DIST: z.string().min(1).default('dist/apps/admin/browser'),
  SERVE_ADMIN: onOff.default(true),
  AUTH_FAILURE_LIMIT: positiveInt.max(100000).default(20),
  AUTH_FAILURE_WINDOW_SECONDS: positiveInt.max(86400).default(60),
  AUTH_ACCOUNT_FAILURE_LIMIT: positiveInt.max(100000).default(10),
  AUTH_ACCOUNT_FAILURE_WINDOW_SECONDS: positiveInt.max(86400).default(600),
  AUTH_TRACKED_KEYS: positiveInt.min(100).max(10_000_000).default(100_000),
  PASSWORD_HASH_CONCURRENCY: positiveInt.max(64).default(2),
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).max(10000).default(100),
  FLUSH_INTERVAL_MS: z.coerce.number().int().min(10).max(1000).default(1000),
  TESSERA_BENCH_USAGE: onOff.default(true),
});

/** The user name of a postgres:// URL ('' when it names none). */
export function databaseUser(url: string): string {
  try {
    return decodeURIComponent(new URL(url).username);
  } catch {
    return '';
  }
}

/** DATABASE_RUNTIME_URL must come with DATABASE_URL and name another role (never shows a password). */
function runtimeUrlProblems(owner: string | undefined, runtime: string | undefined): string[] {
  if (runtime === undefined) return [];
  const name = 'DATABASE_RUNTIME_URL=(hidden)';
  if (owner === undefined) return [`${name}: needs DATABASE_URL (the embedded PostgreSQL makes its own runtime role)`];
  const user = databaseUser(runtime);
  if (user === '') return [`${name}: must name the runtime role (postgres://ROLE:PASSWORD@host/db)`];
  if (user === databaseUser(owner)) return [`${name}: must name another role than DATABASE_URL (${user} owns the tables)`];
  return [];
}

/** Reads and validates the environment. Throws ConfigError naming every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  // Empty strings count as unset (a common way to clear a variable).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '?');
      // Passwords and database URLs (which carry one) are never echoed.
      const value = name.includes('PASSWORD') || name.startsWith('DATABASE_') || name === 'SMTP_URL' ? '(hidden)' : JSON.stringify(cleaned[name]);
      problems.push(`${name}=${value}: ${issue.message}`);
    }
  }
  let trustProxy: TrustProxy = { mode: 'none' };
  try {
    trustProxy = parseTrustProxy(cleaned['TRUST_PROXY']);
  } catch (e) {
    problems.push(`TRUST_PROXY=${JSON.stringify(cleaned['TRUST_PROXY'])}: ${(e as Error).message}`);
  }
  if (parsed.success) problems.push(...runtimeUrlProblems(parsed.data.DATABASE_URL, parsed.data.DATABASE_RUNTIME_URL));
  // E-mailed links must not take their host from a request header (a poisoned Host would send people elsewhere).
  if (parsed.success && parsed.data.SMTP_URL && !parsed.data.PUBLIC_URL) {
    problems.push('SMTP_URL=(hidden): needs PUBLIC_URL (the console address the e-mailed invitation links point to)');
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL ?? null,
    databaseRuntimeUrl: e.DATABASE_RUNTIME_URL ?? null,
    dataDir: e.DATA_DIR,
    embeddedPgPort: e.EMBEDDED_PG_PORT ?? null,
    adminEmail: e.ADMIN_EMAIL,
    adminPassword: e.ADMIN_PASSWORD ?? null,
    trustProxy,
    permissionsFile: e.PERMISSIONS_FILE ?? null,
    publicUrl: e.PUBLIC_URL ?? null,
    smtpUrl: e.SMTP_URL ?? null,
    smtpFrom: e.SMTP_FROM,
    authCache: e.AUTH_CACHE,
    authStaleOnOutageSeconds: e.AUTH_STALE_ON_OUTAGE_SECONDS,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT ?? 'auto',
    adminDist: e.ADMIN_DIST,
    serveAdmin: e.SERVE_ADMIN,
    authFailureLimit: e.AUTH_FAILURE_LIMIT,
    authFailureWindowSeconds: e.AUTH_FAILURE_WINDOW_SECONDS,
    authAccountFailureLimit: e.AUTH_ACCOUNT_FAILURE_LIMIT,
    authAccountFailureWindowSeconds: e.AUTH_ACCOUNT_FAILURE_WINDOW_SECONDS,
    authTrackedKeys: e.AUTH_TRACKED_KEYS,
    passwordHashConcurrency: e.PASSWORD_HASH_CONCURRENCY,
    passwordHashQueue: e.PASSWORD_HASH_QUEUE,
    flushIntervalMs: e.FLUSH_INTERVAL_MS,
    sessionTtlSeconds: 3 * 60 * 60,
    ...(e.TESSERA_BENCH_USAGE ? {} : { usageCounting: false }),
  };
}
