import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { CLOCK, type Clock } from '../common/clock';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

interface Window {
  start: number;
  failures: number;
}

/**
 * Counts failed authentications (bad tokens, malformed headers, wrong passwords) per client IP in
 * a fixed window. Once an IP reaches the limit, its requests to protected routes and login answer
 * 429 with Retry-After until the window ends. Only failures are counted and only the failing IP is
 * slowed: valid tokens from other addresses never pay anything but one map lookup.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly windows = new LRUCache<string, Window>({ max: 100_000 });
  private readonly windowMs: number;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.windowMs = config.authFailureWindowSeconds * 1000;
  }

  /** Seconds to wait when `ip` is over the limit, else null. */
  retryAfter(ip: string): number | null {
    const w = this.windows.get(ip);
    if (!w || w.failures < this.config.authFailureLimit) return null;
    const left = w.start + this.windowMs - this.clock.now().getTime();
    if (left <= 0) {
      this.windows.delete(ip);
      return null;
    }
    return Math.ceil(left / 1000);
  }

  recordFailure(ip: string): void {
    const now = this.clock.now().getTime();
    const w = this.windows.get(ip);
    if (!w || now - w.start >= this.windowMs) this.windows.set(ip, { start: now, failures: 1 });
    else w.failures++;
  }
}
