import { performance } from 'node:perf_hooks';
import type { IpMatcher } from '@tessera/domain';
import { LRUCache } from 'lru-cache';
import type { Change, ChangeKind } from './change-notifier';
import { CHANGE_FEED_LIVENESS } from './change-listener';
import type { VerifiedCredential } from './credential';

export interface CredentialCacheOptions {
  /** Most credentials (and, separately, organization allowlists) kept. */
  max: number;
  /** Safety TTL of a cached credential or allowlist: bounds staleness if a notification is lost. */
  ttlMs: number;
  /**
   * TTL of a negative entry (a well-formed secret that matches nothing). The same bound as a
   * credential's is safe: a secret becomes known only when the api generates it (238 random bits),
   * so nobody can present it before; only rows written behind the api's back (a restore) need it.
   */
  negativeTtlMs: number;
  /** Distinct changed ids remembered before the whole cache is dropped instead (bounds memory). */
  maxChanges?: number;
  /**
   * When set, entries are served only while the change feed's last heartbeat (`heartbeat(asOf)`)
   * is younger than this: a change feed that went silent is distrusted after this long even if
   * nobody noticed yet. Unset: only suspend()/resume() decide.
   */
  maxHeartbeatAgeMs?: number;
  /** Monotonic milliseconds, as `performance.now()` (the default); tests move it by hand. */
  now?: () => number;
}

export const DEFAULT_CACHE_OPTIONS: CredentialCacheOptions = {
  max: 100_000,
  ttlMs: 30_000,
  negativeTtlMs: 30_000,
  maxChanges: 50_000,
  maxHeartbeatAgeMs: CHANGE_FEED_LIVENESS.maxHeartbeatAgeMs,
};

/** What a cached value was computed from: keys of CHANGE_KINDS plus an id ('token:…', 'role:…'). */
export type Dependency = `${ChangeKind}:${string}`;

export function dependencyOf(kind: ChangeKind, id: string): Dependency {
  return `${kind}:${id}`;
}

interface Entry<T> {
  value: T;
  /** `mark()` taken before the database was read. */
  filled: number;
  deps: readonly Dependency[];
}

/** A lookup result that may be stored: null means "no such secret" (a negative entry). */
type CredentialValue = VerifiedCredential | null;

/**
 * The guard's verification cache: secret hash → compiled credential (matchers built once) or a
 * short-lived negative entry, and organization id → compiled IP allowlist.
 *
 * Staleness is decided by sequence numbers, never by timing:
 * - a reader takes `mark()` BEFORE it reads the database and hands it to `set…()`;
 * - `invalidate(change)` stamps what changed with the next sequence number;
 * - an entry is served only while none of its dependencies was stamped after its mark, so a
 *   lookup that raced with a change (read the old row, finished after the change was announced)
 *   is never served from the cache, and a change is honoured from the moment `invalidate`
 *   returns, on every entry that depends on it (a role edit reaches every token and session of it).
 * - `suspend()` (the LISTEN connection is lost) drops everything and bypasses the cache until
 *   `resume()` (listening again), which drops everything once more.
 * - with `maxHeartbeatAgeMs`, the cache is bypassed (not emptied) whenever the change feed's last
 *   heartbeat is older than that: every change committed before a heartbeat was sent has been
 *   applied, so entries are current as of that heartbeat, and never served when it is too old.
 * Entries also expire after a safety TTL (negative ones much sooner).
 */
export class CredentialCache {
  private readonly credentials: LRUCache<string, Entry<CredentialValue>>;
  private readonly allowlists: LRUCache<string, Entry<IpMatcher>>;
  private readonly changedAt = new Map<Dependency, number>();
  private readonly maxChanges: number;
  private seq = 1;
  /** Entries filled before this sequence number are stale (set by reset()). */
  private floor = 0;
  private trusted = true;
  /** `now()` when the last heartbeat was sent (see maxHeartbeatAgeMs). */
  private heartbeatAt = -Infinity;
  private readonly now: () => number;

  constructor(private readonly options: CredentialCacheOptions = DEFAULT_CACHE_OPTIONS) {
    this.now = options.now ?? (() => performance.now());
    this.credentials = new LRUCache({ max: options.max, ttl: options.ttlMs, ttlAutopurge: false, updateAgeOnGet: false });
    this.allowlists = new LRUCache({ max: Math.min(options.max, 10_000), ttl: options.ttlMs, ttlAutopurge: false });
    this.maxChanges = options.maxChanges ?? DEFAULT_CACHE_OPTIONS.maxChanges ?? 50_000;
  }

  /**
   * False while the change feed is down, or (with maxHeartbeatAgeMs) silent for too long: every
   * lookup goes to the database.
   */
  get isTrusted(): boolean {
    if (!this.trusted) return false;
    const maxAge = this.options.maxHeartbeatAgeMs;
    return maxAge === undefined || this.now() - this.heartbeatAt < maxAge;
  }

  /** The change feed is alive: every change committed before `asOf` (a `now()` reading) was applied. */
  heartbeat(asOf: number): void {
    if (asOf > this.heartbeatAt) this.heartbeatAt = asOf;
  }

  get size(): number {
    return this.credentials.size;
  }

  /** Take this before reading the database; pass it to setCredential/setAllowlist. */
  mark(): number {
    return this.seq;
  }

  /** undefined = not cached (ask the database); null = known not to exist; else the credential. */
  getCredential(hash: string): CredentialValue | undefined {
    if (!this.isTrusted) return undefined;
    const entry = this.credentials.get(hash);
    if (entry === undefined) return undefined;
    if (!this.fresh(entry)) {
      this.credentials.delete(hash);
      return undefined;
    }
    return entry.value;
  }

  setCredential(hash: string, value: CredentialValue, mark: number): void {
    const deps = value ? credentialDependencies(value) : [];
    const entry: Entry<CredentialValue> = { value, filled: mark, deps };
    if (!this.trusted || !this.fresh(entry)) return;
    this.credentials.set(hash, entry, value ? undefined : { ttl: this.options.negativeTtlMs });
  }

  getAllowlist(organizationId: string): IpMatcher | undefined {
    if (!this.isTrusted) return undefined;
    const entry = this.allowlists.get(organizationId);
    if (entry === undefined) return undefined;
    if (!this.fresh(entry)) {
      this.allowlists.delete(organizationId);
      return undefined;
    }
    return entry.value;
  }

  setAllowlist(organizationId: string, matcher: IpMatcher, mark: number): void {
    const entry: Entry<IpMatcher> = { value: matcher, filled: mark, deps: [dependencyOf('org', organizationId)] };
    if (!this.trusted || !this.fresh(entry)) return;
    this.allowlists.set(organizationId, entry);
  }

  /** Something changed: every entry that depends on it is stale from now on. Synchronous. */
  invalidate(change: Change): void {
    if (this.changedAt.size >= this.maxChanges) {
      this.reset();
      return;
    }
    this.changedAt.set(dependencyOf(change.kind, change.id), this.seq++);
    if (change.kind === 'org') this.allowlists.delete(change.id);
  }

  /** Drops everything (entries and change stamps); lookups in flight will not be stored. */
  reset(): void {
    this.seq++;
    this.floor = this.seq;
    this.changedAt.clear();
    this.credentials.clear();
    this.allowlists.clear();
  }

  /** What is cached and fresh now: credentials (no negative entries) and allowlists. */
  snapshot(): { credentials: Map<string, VerifiedCredential>; allowlists: Map<string, IpMatcher> } {
    const credentials = new Map<string, VerifiedCredential>();
    for (const [hash, entry] of this.credentials.entries()) if (entry.value && this.fresh(entry)) credentials.set(hash, entry.value);
    const allowlists = new Map<string, IpMatcher>();
    for (const [org, entry] of this.allowlists.entries()) if (this.fresh(entry)) allowlists.set(org, entry.value);
    return { credentials, allowlists };
  }

  /** The change feed is lost: forget everything and stop trusting the cache. */
  suspend(): void {
    this.trusted = false;
    this.heartbeatAt = -Infinity;
    this.reset();
  }

  /** The change feed is back: start again from empty. */
  resume(): void {
    this.reset();
    this.trusted = true;
  }

  private fresh(entry: Entry<unknown>): boolean {
    if (entry.filled < this.floor) return false;
    for (const dep of entry.deps) {
      const changed = this.changedAt.get(dep);
      if (changed !== undefined && changed >= entry.filled) return false;
    }
    return true;
  }
}

/** What a credential's answer depends on besides its own row. */
export function credentialDependencies(c: VerifiedCredential): Dependency[] {
  const deps: Dependency[] = [];
  if (c.kind === 'token') deps.push(dependencyOf('token', c.id));
  else deps.push(dependencyOf('session', c.id), dependencyOf('user', c.principalId));
  if (c.roleId) deps.push(dependencyOf('role', c.roleId));
  return deps;
}
