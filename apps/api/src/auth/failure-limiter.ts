import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { CLOCK, type Clock } from '../common/clock';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { addressBucket } from './address-bucket';

interface Window {
  start: number;
  failures: number;
}

/**
 * Most keys each map keeps by default (AUTH_TRACKED_KEYS; least recently used dropped first). The
 * keys are chosen by the caller (addresses, emails), so the maps must be bounded: 100,000 entries
 * of ~150 bytes (an address) or ~460 bytes (a 254-character email) each, measured: 15 and 46 MiB.
 * An entry an attacker keeps hitting stays recent and is never the one dropped: to evict it they
 * must fail with 100,000 other keys between two tries of it.
 */
export const THROTTLE_MAX_KEYS = 100_000;

/** Fixed windows of failures per key; over the limit → seconds until the window ends. */
class FailureWindows {
  private readonly windows: LRUCache<string, Window>;
  private readonly windowMs: number;

  constructor(
    private readonly limit: number,
    windowSeconds: number,
    private readonly clock: Clock,
    maxKeys: number,
  ) {
    this.windowMs = windowSeconds * 1000;
    this.windows = new LRUCache<string, Window>({ max: maxKeys });
  }

  retryAfter(key: string): number | null {
    const w = this.windows.get(key);
    if (!w || w.failures < this.limit) return null;
    const left = w.start + this.windowMs - this.clock.now().getTime();
    if (left <= 0) {
      this.windows.delete(key);
      return null;
    }
    return Math.ceil(left / 1000);
  }

  record(key: string): void {
    const now = this.clock.now().getTime();
    const w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) this.windows.set(key, { start: now, failures: 1 });
    else w.failures++;
  }

  get size(): number {
    return this.windows.size;
  }
}

/**
 * Counts failed authentications in fixed windows, per client address and per login account.
 *
 * - Address: bad tokens, malformed headers and wrong passwords count against the client's bucket:
 *   an IPv4 address alone, an IPv6 address with its whole /64 (address-bucket.ts), so rotating
 *   through the addresses of one /64 buys nothing. Over AUTH_FAILURE_LIMIT per
 *   AUTH_FAILURE_WINDOW_SECONDS, protected routes and login answer 429 + Retry-After.
 * - Account: failed logins count against the email (lower-cased), whatever address they come
 *   from and whether or not the email exists. Over AUTH_ACCOUNT_FAILURE_LIMIT per
 *   AUTH_ACCOUNT_FAILURE_WINDOW_SECONDS, login with that email answers 429 before any password
 *   is looked at, so the answer is the same for a right and a wrong password.
 *
 * Only failures are counted and only the failing bucket is slowed: valid tokens from other
 * addresses never pay anything but one map lookup.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly addresses: FailureWindows;
  private readonly accounts: FailureWindows;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(CLOCK) clock: Clock) {
    const maxKeys = config.authTrackedKeys;
    this.addresses = new FailureWindows(config.authFailureLimit, config.authFailureWindowSeconds, clock, maxKeys);
    this.accounts = new FailureWindows(config.authAccountFailureLimit, config.authAccountFailureWindowSeconds, clock, maxKeys);
  }

  /** Seconds to wait when the bucket of `ip` is over the limit, else null. */
  retryAfter(ip: string): number | null {
    return this.addresses.retryAfter(addressBucket(ip));
  }

  recordFailure(ip: string): void {
    this.addresses.record(addressBucket(ip));
  }

  /** Seconds to wait when logins with `email` are over the limit, else null. */
  accountRetryAfter(email: string): number | null {
    return this.accounts.retryAfter(accountKey(email));
  }

  recordAccountFailure(email: string): void {
    this.accounts.record(accountKey(email));
  }

  /** How many address buckets and accounts are tracked (both ≤ AUTH_TRACKED_KEYS). */
  sizes(): { addresses: number; accounts: number } {
    return { addresses: this.addresses.size, accounts: this.accounts.size };
  }
}

/** The account a login names: its email, trimmed and lower-cased (emails are unique case-insensitively). */
export function accountKey(email: string): string {
  // The login schema allows 254 characters; the cut only bounds the key if that ever changes.
  return email.trim().toLowerCase().slice(0, 320);
}
