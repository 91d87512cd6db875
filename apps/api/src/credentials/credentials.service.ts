import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createIpMatcher, type IpMatcher, isWellFormedTokenSecret, SESSION_PREFIX, TOKEN_PREFIX } from '@tessera/domain';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { CLOCK, type Clock } from '../common/clock';
import { hashTokenSecret } from '../common/secret-hash';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { PermissionCatalog } from '../config/permission-catalog';
import { DatabaseAvailability } from '../database/availability';
import { ChangeListener } from './change-listener';
import { ChangeNotifier } from './change-notifier';
import type { PresentedCredential, VerifiedCredential } from './credential';
import { CredentialCache, DEFAULT_CACHE_OPTIONS } from './credential-cache';
import { readOrgAllowlist, readSessionBySecretHash, readTokenById, readTokenBySecretHash } from './credential-reads';
import { OutageSnapshot } from './outage-snapshot';

/** No organization restriction (what a request without a credential is checked against). */
const NO_ALLOWLIST: IpMatcher = createIpMatcher([]);

const MALFORMED: PresentedCredential = { wellFormed: false, hash: null, hint: null, credential: null, orgAllowlist: NO_ALLOWLIST };

/** Which kind of secret this is by its format and checksum; null when it is malformed. */
function kindOf(secret: string): VerifiedCredential['kind'] | null {
  if (isWellFormedTokenSecret(secret, TOKEN_PREFIX)) return 'token';
  if (isWellFormedTokenSecret(secret, SESSION_PREFIX)) return 'session';
  return null;
}

/** What audit rows and the console show of a secret: its first 8 and last 4 characters. */
function hintOf(secret: string): string {
  return `${secret.slice(0, 8)}…${secret.slice(-4)}`;
}

/** Hot-path tallies, read by the metrics module when /metrics is scraped. */
export interface CredentialStats {
  /** Lookups by secret answered by the cache. */
  cacheHits: number;
  /** Lookups by secret that went to the database although the cache is enabled. */
  cacheMisses: number;
  /** Change notifications heard over LISTEN (from any instance). */
  notifications: number;
  /** True while the LISTEN connection is up. */
  listenerConnected: boolean;
}

/**
 * The one place that turns a secret, a session or a token id into a compiled credential
 * (VerifiedCredential: effective permissions, compiled rules, status fields and, for a token's
 * previous secret, `graceUntil`), and an organization into its compiled IP allowlist. What the
 * credential may do is decided elsewhere, by the domain (`decideAccess`, `presentedStatus`).
 *
 * - `bySecret(secret)`: the guard's one call (and introspection's): format and checksum, SHA-256,
 *   the credential and its organization's allowlist.
 * - `byTokenId(organizationId, tokenId)`: explain's token, as for its current secret (never cached).
 * - `orgAllowlist(organizationId)`.
 *
 * With AUTH_CACHE=on (default) answers by secret and allowlists come from a CredentialCache
 * (bounded LRU, negative entries for well-formed unknown secrets, safety TTL). It is kept exact by:
 * - ChangeNotifier.onCommitted: changes made by this instance, synchronously right after their
 *   commit (before the change's HTTP response), so this instance never serves the old state;
 * - a ChangeListener (dedicated LISTEN connection) for changes committed by other instances;
 *   while that connection is down the cache is emptied and bypassed until LISTEN is back.
 * With AUTH_CACHE=off every request reads the database.
 *
 * While the database is unreachable (DatabaseAvailability) lookups fail fast with a
 * DatabaseUnavailableError, which the exception filter answers 503 + Retry-After: never a 401,
 * which would tell a client that a good token is bad. With AUTH_STALE_ON_OUTAGE_SECONDS > 0 the
 * credentials cached when the change feed was lost answer instead, for at most that long.
 */
@Injectable()
export class Credentials implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(Credentials.name);
  private readonly cache: CredentialCache | null;
  private listener: ChangeListener | null = null;
  private unsubscribe: (() => void) | null = null;
  /** Lookups in flight by hash, so a burst of requests with one new secret reads the database once. */
  private readonly inflight = new Map<string, { mark: number; promise: Promise<VerifiedCredential | null> }>();
  /** Most lookups shared at once (AUTH_TRACKED_KEYS); beyond, a lookup runs unshared. */
  private readonly maxInflight: number;
  private readonly staleMs: number;
  /** AUTH_STALE_ON_OUTAGE_SECONDS > 0: what the cache held when the change feed was lost. */
  private snapshot: OutageSnapshot | null = null;
  readonly stats: CredentialStats = { cacheHits: 0, cacheMisses: 0, notifications: 0, listenerConnected: false };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifier: ChangeNotifier,
    private readonly availability: DatabaseAvailability,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly catalog: PermissionCatalog,
  ) {
    this.cache = config.authCache ? new CredentialCache({ ...DEFAULT_CACHE_OPTIONS, max: config.authTrackedKeys }) : null;
    this.maxInflight = config.authTrackedKeys;
    this.staleMs = config.authStaleOnOutageSeconds * 1000;
  }

  async onModuleInit(): Promise<void> {
    const cache = this.cache;
    if (!cache) return;
    this.unsubscribe = this.notifier.onCommitted((change) => {
      cache.invalidate(change);
      this.snapshot?.invalidate(change);
    });
    const url = (this.dataSource.options as PostgresConnectionOptions).url;
    if (!url) {
      this.logger.warn('no database URL for the change feed: verification cache disabled');
      cache.suspend();
      return;
    }
    cache.suspend(); // untrusted until LISTEN is in place
    this.listener = new ChangeListener(url, {
      // Committed by any instance (this one's own changes arrive twice: harmless).
      change: (change) => {
        this.stats.notifications++;
        cache.invalidate(change);
      },
      unknown: () => {
        this.stats.notifications++;
        cache.reset();
      },
      listening: () => {
        this.stats.listenerConnected = true;
        this.snapshot = null;
        cache.resume();
      },
      // Answered heartbeats: the cache is trusted only while the last one is recent.
      alive: (asOf) => cache.heartbeat(asOf),
      lost: () => {
        this.stats.listenerConnected = false;
        if (this.staleMs > 0 && cache.isTrusted) {
          const { credentials, allowlists } = cache.snapshot();
          this.snapshot = new OutageSnapshot(credentials, allowlists, this.clock.now().getTime(), this.staleMs);
        }
        cache.suspend();
      },
    });
    await this.listener.start();
    // After an outage, listen again as soon as the database answers (not after the backoff).
    this.availability.onUp(() => this.listener?.reconnectNow());
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.listener?.stop();
  }

  /** The cache, when enabled (tests and diagnostics). */
  get credentialCache(): CredentialCache | null {
    return this.cache;
  }

  /**
   * A presented secret (`tsr_…` token or `tss_…` session): malformed (format or checksum; no
   * lookup), unknown (`credential` null), or its compiled credential with the organization's
   * allowlist. Throws (DatabaseUnavailableError or the connection error) when the database cannot
   * answer. Never logs the secret.
   */
  async bySecret(secret: string): Promise<PresentedCredential> {
    return this.present(secret);
  }

  /**
   * bySecret's answer, synchronously when no database read is needed: a malformed secret, or a
   * credential (or a secret known to match nothing) and its organization's allowlist both in the
   * cache and current. Otherwise (the cache is off, suspended or lacks either) a promise of it,
   * after reading what is missing. The guard's call: its common path makes no promise. The secret
   * is checked and hashed once either way.
   */
  present(secret: string): PresentedCredential | Promise<PresentedCredential> {
    const kind = kindOf(secret);
    if (kind === null) return MALFORMED;
    const hash = hashTokenSecret(secret);
    const hint = hintOf(secret);
    const cache = this.cache;
    const credential = cache?.getCredential(hash);
    if (cache && credential !== undefined) {
      const orgAllowlist = credential ? cache.getAllowlist(credential.organizationId) : NO_ALLOWLIST;
      if (orgAllowlist !== undefined) {
        this.stats.cacheHits++;
        return { wellFormed: true, hash, hint, credential, orgAllowlist };
      }
    }
    return this.lookup(kind, hash, hint);
  }

  private async lookup(kind: VerifiedCredential['kind'], hash: string, hint: string): Promise<PresentedCredential> {
    const credential = await this.byHash(kind, hash);
    const orgAllowlist = credential ? await this.orgAllowlist(credential.organizationId) : NO_ALLOWLIST;
    return { wellFormed: true, hash, hint, credential, orgAllowlist };
  }

  /**
   * A token of `organizationId` by id, compiled as for its current secret: what explain decides
   * on. Read from the database every time (explain is rare and must see the row as it is).
   */
  async byTokenId(organizationId: string, tokenId: string): Promise<VerifiedCredential | null> {
    this.availability.assertUp();
    try {
      return await readTokenById(this.dataSource, organizationId, tokenId, this.catalog.resources);
    } catch (err) {
      this.availability.reportError(err);
      throw err;
    }
  }

  async orgAllowlist(organizationId: string): Promise<IpMatcher> {
    try {
      return await this.currentAllowlist(organizationId);
    } catch (err) {
      if (!this.availability.reportError(err)) throw err;
      const stale = this.snapshot?.allowlist(organizationId, this.clock.now().getTime());
      if (stale) return stale;
      throw err;
    }
  }

  private async byHash(kind: VerifiedCredential['kind'], hash: string): Promise<VerifiedCredential | null> {
    try {
      return await this.lookupCurrent(kind, hash);
    } catch (err) {
      if (!this.availability.reportError(err)) throw err;
      const stale = this.snapshot?.credential(hash, this.clock.now().getTime());
      if (stale) return stale;
      throw err;
    }
  }

  private async lookupCurrent(kind: VerifiedCredential['kind'], hash: string): Promise<VerifiedCredential | null> {
    const cache = this.cache;
    if (!cache) return this.read(kind, hash);
    const cached = cache.getCredential(hash);
    if (cached !== undefined) {
      this.stats.cacheHits++;
      return cached;
    }
    this.stats.cacheMisses++;
    const mark = cache.mark();
    // Join a lookup of the same secret only if nothing at all changed since it started: its answer
    // is then as current as a new one would be.
    const pending = this.inflight.get(hash);
    if (pending && pending.mark === mark) return pending.promise;
    const promise = this.read(kind, hash).then((credential) => {
      cache.setCredential(hash, credential, mark);
      return credential;
    });
    const entry = { mark, promise };
    if (this.inflight.size < this.maxInflight) this.inflight.set(hash, entry);
    const forget = (): void => {
      if (this.inflight.get(hash) === entry) this.inflight.delete(hash);
    };
    promise.then(forget, forget);
    return promise;
  }

  private async read(kind: VerifiedCredential['kind'], hash: string): Promise<VerifiedCredential | null> {
    this.availability.assertUp();
    return kind === 'token'
      ? readTokenBySecretHash(this.dataSource, hash, this.catalog.resources)
      : readSessionBySecretHash(this.dataSource, hash, this.catalog.resources);
  }

  private async currentAllowlist(organizationId: string): Promise<IpMatcher> {
    const cache = this.cache;
    if (cache) {
      const cached = cache.getAllowlist(organizationId);
      if (cached !== undefined) return cached;
    }
    const mark = cache?.mark() ?? 0;
    this.availability.assertUp();
    const matcher = await readOrgAllowlist(this.dataSource, organizationId);
    cache?.setAllowlist(organizationId, matcher, mark);
    return matcher;
  }
}
