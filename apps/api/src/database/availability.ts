import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import {
  DatabaseUnavailableError,
  isDatabaseUnavailable,
  type OutageReporter,
  unavailableReason,
} from '../common/database-unavailable';

/** How often a `SELECT 1` is tried while the database is unreachable. */
const PROBE_INTERVAL_MS = 250;
const PROBE_TIMEOUT_MS = 2_000;

/**
 * Whether PostgreSQL can be reached, as seen by this instance. Any part of the api that meets a
 * connection error reports it here (`reportError`); the first one marks the database down and logs
 * ONE warning. While down, a `SELECT 1` through the pool is tried every 250 ms; the first one that
 * answers marks it up again and logs one more warning. Requests are never the probe: they fail
 * fast (503) while down instead of each waiting for a connection attempt.
 */
@Injectable()
export class DatabaseAvailability implements OutageReporter, OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseAvailability.name);
  private downSince: Date | null = null;
  private reason = '';
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;
  private stopped = false;
  private readonly upListeners = new Set<() => void>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.probeTimer) clearInterval(this.probeTimer);
  }

  get isDown(): boolean {
    return this.downSince !== null;
  }

  /** When the current outage began (null while the database is up). */
  get outageStartedAt(): Date | null {
    return this.downSince;
  }

  /** Throws DatabaseUnavailableError while the database is known to be down (fail fast). */
  assertUp(): void {
    if (this.downSince) throw new DatabaseUnavailableError(this.reason);
  }

  /**
   * Call with any error met while using the database. Returns true when it means the database is
   * unreachable (then it is marked down, if it was not already).
   */
  reportError(err: unknown): boolean {
    if (!isDatabaseUnavailable(err)) return false;
    if (err instanceof DatabaseUnavailableError || this.downSince || this.stopped) return true;
    this.downSince = this.clock.now();
    this.reason = unavailableReason(err);
    this.logger.warn(
      `database unreachable (${this.reason}): requests that need it answer 503 with Retry-After; ` +
        'refused-authentication audit rows and usage counts are kept in memory until it is back',
    );
    this.probeTimer = setInterval(() => void this.probe(), PROBE_INTERVAL_MS);
    this.probeTimer.unref();
    return true;
  }

  /** Called once each time the database becomes reachable again (after an outage). */
  onUp(listener: () => void): () => void {
    this.upListeners.add(listener);
    return () => this.upListeners.delete(listener);
  }

  private async probe(): Promise<void> {
    if (this.probing || !this.downSince || this.stopped) return;
    this.probing = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout exceeded when trying to connect')), PROBE_TIMEOUT_MS);
      });
      await Promise.race([this.dataSource.query('SELECT 1'), timeout]);
    } catch {
      return;
    } finally {
      clearTimeout(timer);
      this.probing = false;
    }
    this.markUp();
  }

  private markUp(): void {
    const since = this.downSince;
    if (!since) return;
    this.downSince = null;
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    const seconds = ((this.clock.now().getTime() - since.getTime()) / 1000).toFixed(1);
    this.logger.warn(`database reachable again after ${seconds} s; writing what was kept meanwhile`);
    for (const listener of this.upListeners) listener();
  }
}
