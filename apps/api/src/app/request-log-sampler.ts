import { performance } from 'node:perf_hooks';

/**
 * Answers whose request lines are rate-limited: refusals (401, 403, 429) and 503 (database
 * unreachable, login queue full). A flood of them, from an attacker or during an outage, would
 * otherwise write one line per request.
 */
export const SAMPLED_STATUSES: readonly number[] = [401, 403, 429, 503];

export interface RequestLogSamplerOptions {
  /** Lines of sampled answers written per second, at most (a burst of this many is allowed). */
  perSecond: number;
  /** Monotonic milliseconds (`performance.now()` by default); tests move it by hand. */
  now?: () => number;
}

/** What was not logged since the last report. */
export interface DroppedLines {
  total: number;
  byStatus: Record<string, number>;
  /** Milliseconds since the first line left out that this report counts. */
  sinceMs: number;
}

/**
 * A token bucket over the request lines of SAMPLED_STATUSES: `admit(status)` says whether this
 * line is written; a line that is not is counted by status, and `report()` hands the counts over
 * (for one summary line) and starts counting again. Other statuses are always admitted.
 */
export class RequestLogSampler {
  private tokens: number;
  private refilledAt: number;
  private firstDroppedAt = 0;
  private dropped = new Map<number, number>();
  private droppedTotal = 0;
  private readonly now: () => number;

  constructor(private readonly options: RequestLogSamplerOptions) {
    this.now = options.now ?? (() => performance.now());
    this.tokens = options.perSecond;
    this.refilledAt = this.now();
  }

  /** True when a line is written for an answer with this status. */
  admit(status: number): boolean {
    if (!SAMPLED_STATUSES.includes(status)) return true;
    const now = this.now();
    const { perSecond } = this.options;
    this.tokens = Math.min(perSecond, this.tokens + ((now - this.refilledAt) * perSecond) / 1000);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    if (this.droppedTotal === 0) this.firstDroppedAt = now;
    this.dropped.set(status, (this.dropped.get(status) ?? 0) + 1);
    this.droppedTotal++;
    return false;
  }

  /** Lines not written since the last report (then counting starts again); null when none. */
  report(): DroppedLines | null {
    if (this.droppedTotal === 0) return null;
    const sinceMs = this.now() - this.firstDroppedAt;
    const byStatus: Record<string, number> = {};
    for (const [status, n] of [...this.dropped].sort(([a], [b]) => a - b)) byStatus[String(status)] = n;
    const report = { total: this.droppedTotal, byStatus, sinceMs };
    this.dropped = new Map();
    this.droppedTotal = 0;
    return report;
  }

  /** Something is waiting to be reported. */
  get hasDropped(): boolean {
    return this.droppedTotal > 0;
  }
}
