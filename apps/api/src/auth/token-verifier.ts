import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  type AccessSubject,
  compileAccessRules,
  effectivePermissions,
  createIpMatcher,
  type IpMatcher,
  SESSION_PREFIX,
  TOKEN_PREFIX,
} from '@tessera/domain';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { CredentialCache, DEFAULT_CACHE_OPTIONS } from '../cache/credential-cache';
import { OutageSnapshot } from '../cache/outage-snapshot';
import { CLOCK, type Clock } from '../common/clock';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseAvailability } from '../database/availability';
import { ChangeListener } from '../database/change-listener';
import { Metrics } from '../metrics/metrics.service';
import { ChangeNotifier } from './auth-events';

/** Everything the guard needs about a presented secret, compiled once (cacheable as is). */
export interface VerifiedCredential {
  kind: 'token' | 'session';
  /** Token id, or session id. */
  id: string;
  /** Token id, or the session's user id. */
  principalId: string;
  name: string;
  organizationId: string;
  organizationName: string;
  organizationIsRoot: boolean;
  /** The token's role, or the session user's role (a role edit must reach this credential). */
  roleId: string | null;
  /**
   * Status fields, compiled rules and (for a token's previous secret) `graceUntil`, as
   * decideAccess wants them.
   */
  subject: AccessSubject;
  permissionList: string[];
  /** The token's own allowedIps ([] for sessions). */
  allowedIps: string[];
  validTo: Date | null;
  hint: string;
}

interface TokenRow {
  id: string;
  name: string;
  organization_id: string;
  organization_name: string;
  is_root: boolean;
  role_id: string | null;
  active: boolean;
  revoked_at: Date | null;
  valid_from: Date | null;
  valid_to: Date | null;
  scopes: string[];
  allowed_ips: string[];
  blocked_ips: string[];
  allowed_endpoints: string[];
  blocked_endpoints: string[];
  allowed_origins: string[];
  role_permissions: string[] | null;
  hint: string;
  is_current: boolean;
  previous_secret_valid_until: Date | null;
}

interface SessionRow {
  id: string;
  user_id: string;
  organization_id: string;
  organization_name: string;
  is_root: boolean;
  role_id: string;
  expires_at: Date;
  ended_at: Date | null;
  created_at: Date;
  user_active: boolean;
  display_name: string;
  permissions: string[];
}

/**
 * Secret hash → compiled credential, and organization → compiled IP allowlist: the one place the
 * guard reads credentials from.
 *
 * With AUTH_CACHE=on (default) both answers come from a CredentialCache (bounded LRU, negative
 * entries for well-formed unknown secrets, safety TTL). It is kept exact by:
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
export class TokenVerifier implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(TokenVerifier.name);
  private readonly cache: CredentialCache | null;
  private listener: ChangeListener | null = null;
  private unsubscribe: (() => void) | null = null;
  /** Lookups in flight by hash, so a burst of requests with one new secret reads the database once. */
  private readonly inflight = new Map<string, { mark: number; promise: Promise<VerifiedCredential | null> }>();
  private readonly staleMs: number;
  /** AUTH_STALE_ON_OUTAGE_SECONDS > 0: what the cache held when the change feed was lost. */
  private snapshot: OutageSnapshot | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifier: ChangeNotifier,
    private readonly availability: DatabaseAvailability,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    this.cache = config.authCache ? new CredentialCache(DEFAULT_CACHE_OPTIONS) : null;
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
        this.metrics.changeNotification();
        cache.invalidate(change);
      },
      unknown: () => {
        this.metrics.changeNotification();
        cache.reset();
      },
      listening: () => {
        this.metrics.changeListenerConnected(true);
        this.snapshot = null;
        cache.resume();
      },
      // Answered heartbeats: the cache is trusted only while the last one is recent.
      alive: (asOf) => cache.heartbeat(asOf),
      lost: () => {
        this.metrics.changeListenerConnected(false);
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
   * `secret` must be well formed (checksum already verified). `hash` is its SHA-256 hex. Throws
   * (DatabaseUnavailableError or the connection error) when the database cannot answer.
   */
  async lookup(secret: string, hash: string): Promise<VerifiedCredential | null> {
    try {
      return await this.lookupCurrent(secret, hash);
    } catch (err) {
      if (!this.availability.reportError(err)) throw err;
      const stale = this.snapshot?.credential(hash, this.clock.now().getTime());
      if (stale) return stale;
      throw err;
    }
  }

  private async lookupCurrent(secret: string, hash: string): Promise<VerifiedCredential | null> {
    const cache = this.cache;
    if (!cache) return this.read(secret, hash);
    const cached = cache.getCredential(hash);
    if (cached !== undefined) {
      this.metrics.cacheHit();
      return cached;
    }
    this.metrics.cacheMiss();
    const mark = cache.mark();
    // Join a lookup of the same secret only if nothing at all changed since it started: its answer
    // is then as current as a new one would be.
    const pending = this.inflight.get(hash);
    if (pending && pending.mark === mark) return pending.promise;
    const promise = this.read(secret, hash).then((credential) => {
      cache.setCredential(hash, credential, mark);
      return credential;
    });
    const entry = { mark, promise };
    this.inflight.set(hash, entry);
    const forget = (): void => {
      if (this.inflight.get(hash) === entry) this.inflight.delete(hash);
    };
    promise.then(forget, forget);
    return promise;
  }

  private async read(secret: string, hash: string): Promise<VerifiedCredential | null> {
    this.availability.assertUp();
    if (secret.startsWith(`${TOKEN_PREFIX}_`)) return this.lookupToken(hash);
    if (secret.startsWith(`${SESSION_PREFIX}_`)) return this.lookupSession(hash);
    return null;
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

  private async currentAllowlist(organizationId: string): Promise<IpMatcher> {
    const cache = this.cache;
    if (cache) {
      const cached = cache.getAllowlist(organizationId);
      if (cached !== undefined) return cached;
    }
    const mark = cache?.mark() ?? 0;
    this.availability.assertUp();
    const rows: { cidr: string }[] = await this.dataSource.query(
      'SELECT cidr FROM org_ip_allowlist_entries WHERE organization_id = $1',
      [organizationId],
    );
    const matcher = createIpMatcher(rows.map((r) => r.cidr));
    cache?.setAllowlist(organizationId, matcher, mark);
    return matcher;
  }

  private async lookupToken(hash: string): Promise<VerifiedCredential | null> {
    const rows: TokenRow[] = await this.dataSource.query(
      `SELECT t.id, t.name, t.organization_id, o.name AS organization_name, o.is_root, t.role_id, t.active, t.revoked_at,
              t.valid_from, t.valid_to, t.scopes, t.allowed_ips, t.blocked_ips, t.allowed_endpoints, t.blocked_endpoints,
              t.allowed_origins, r.permissions AS role_permissions, t.hint, (t.secret_hash = $1) AS is_current,
              t.previous_secret_valid_until
         FROM tokens t
         JOIN organizations o ON o.id = t.organization_id
         LEFT JOIN roles r ON r.id = t.role_id
        WHERE t.secret_hash = $1 OR t.previous_secret_hash = $1
        LIMIT 1`,
      [hash],
    );
    const row = rows[0];
    if (!row) return null;
    const permissions = effectivePermissions(row.role_permissions, row.scopes);
    return {
      kind: 'token',
      id: row.id,
      principalId: row.id,
      name: row.name,
      organizationId: row.organization_id,
      organizationName: row.organization_name,
      organizationIsRoot: row.is_root,
      roleId: row.role_id,
      subject: {
        active: row.active,
        revokedAt: row.revoked_at,
        validFrom: row.valid_from,
        validTo: row.valid_to,
        // A previous secret (regenerate with grace) is valid only before this instant.
        graceUntil: row.is_current ? null : (row.previous_secret_valid_until ?? new Date(0)),
        rules: compileAccessRules({
          permissions,
          allowedIps: row.allowed_ips,
          blockedIps: row.blocked_ips,
          allowedEndpoints: row.allowed_endpoints,
          blockedEndpoints: row.blocked_endpoints,
          allowedOrigins: row.allowed_origins,
        }),
      },
      permissionList: permissions,
      allowedIps: row.allowed_ips,
      validTo: row.valid_to,
      hint: row.hint,
    };
  }

  private async lookupSession(hash: string): Promise<VerifiedCredential | null> {
    const rows: SessionRow[] = await this.dataSource.query(
      `SELECT s.id, s.user_id, s.organization_id, o.name AS organization_name, o.is_root, u.role_id, s.expires_at,
              s.ended_at, s.created_at, u.active AS user_active, u.display_name, r.permissions
         FROM sessions s
         JOIN users u ON u.id = s.user_id
         JOIN roles r ON r.id = u.role_id
         JOIN organizations o ON o.id = s.organization_id
        WHERE s.secret_hash = $1`,
      [hash],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      kind: 'session',
      id: row.id,
      principalId: row.user_id,
      name: row.display_name,
      organizationId: row.organization_id,
      organizationName: row.organization_name,
      organizationIsRoot: row.is_root,
      roleId: row.role_id,
      // A session maps onto token status: ended → revoked, user deactivated → inactive, past expiry → expired.
      subject: {
        active: row.user_active,
        revokedAt: row.ended_at,
        validFrom: null,
        validTo: row.expires_at,
        rules: compileAccessRules({ permissions: row.permissions }),
      },
      permissionList: row.permissions,
      allowedIps: [],
      validTo: row.expires_at,
      hint: 'tss_…',
    };
  }
}
