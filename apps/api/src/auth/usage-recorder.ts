import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { writeEvenWhenClosing } from '../database/write-behind';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseAvailability } from '../database/availability';
import { SpillStore } from '../database/spill-store';
import { Metrics } from '../metrics/metrics.service';

interface Usage {
  at: Date;
  ip: string;
  count: number;
}

type Kind = 'token' | 'session';
/** Usage as kept in a spill file. */
interface SpilledUsage {
  kind: Kind;
  id: string;
  at: string;
  ip: string;
  count: number;
}

/**
 * Last-used time, IP and use count of tokens (and last-used time of sessions), kept in memory and
 * written in one statement per table every flush interval (≤ 1 s) and on shutdown. No database
 * write happens on the request path. These UPDATEs do not touch `version` or `updated_at`.
 *
 * While the database is unreachable the counts keep adding up in memory (one entry per token or
 * session that was used: bounded by the credentials that exist) and are written when it is back; a
 * clean stop during an outage saves them to a spill file, replayed at next start.
 */
@Injectable()
export class UsageRecorder implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(UsageRecorder.name);
  private tokens = new Map<string, Usage>();
  private sessions = new Map<string, Usage>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly availability: DatabaseAvailability,
    private readonly spill: SpillStore,
    metrics: Metrics,
  ) {
    metrics.bufferedRows('usage', () => this.tokens.size + this.sessions.size);
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.flushIntervalMs);
    this.timer.unref();
    this.availability.onUp(() => void this.flush());
  }

  /** Usage a stop during an outage could not write, from the spill files of this database. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.spill.replay<SpilledUsage>('usage', async (items) => {
        for (const u of items) this.add(u.kind, u.id, { at: new Date(u.at), ip: u.ip, count: u.count });
        await this.writeBatch(true, true);
      });
    } catch (err) {
      this.logger.warn(`spilled usage counts not replayed yet: ${(err as Error).message}`);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush(true);
  }

  /**
   * Again once the HTTP server has closed: requests answered meanwhile are written too. What still
   * cannot be written (the database is unreachable) goes to a spill file.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.flush(true);
    const items: SpilledUsage[] = [];
    for (const [kind, map] of [['token', this.tokens], ['session', this.sessions]] as const) {
      for (const [id, u] of map) items.push({ kind, id, at: u.at.toISOString(), ip: u.ip, count: u.count });
    }
    if (items.length === 0) return;
    this.tokens = new Map();
    this.sessions = new Map();
    try {
      const path = this.spill.write('usage', items);
      this.logger.warn(`usage of ${items.length} tokens and sessions could not be written: the database is unreachable. Saved to ${path}; written at the next start.`);
    } catch (err) {
      this.logger.error(`usage of ${items.length} tokens and sessions could not be written nor saved: ${(err as Error).message}`);
    }
  }

  touch(kind: Kind, id: string, ip: string, at: Date): void {
    if (this.config.usageCounting === false) return; // bench only (TESSERA_BENCH_USAGE=off)
    this.add(kind, id, { at, ip, count: 1 });
  }

  /** Adds `usage` to what is kept for `id` (counts add up; the latest time and its IP win). */
  private add(kind: Kind, id: string, usage: Usage): void {
    const map = kind === 'token' ? this.tokens : this.sessions;
    const u = map.get(id);
    if (u) {
      u.count += usage.count;
      if (usage.at >= u.at) {
        u.at = usage.at;
        u.ip = usage.ip;
      }
    } else {
      map.set(id, { ...usage });
    }
  }

  /** While the database is known to be down this waits for its return, unless `force` (shutdown). */
  flush(force = false): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeBatch(force));
    return this.flushing;
  }

  /** `rethrow`: a failure is thrown (after keeping the counts), for the replay of spill files. */
  private async writeBatch(force: boolean, rethrow = false): Promise<void> {
    if (this.availability.isDown && !force) return;
    const tokens = this.tokens;
    const sessions = this.sessions;
    if (tokens.size === 0 && sessions.size === 0) return;
    this.tokens = new Map();
    this.sessions = new Map();
    let tokensWritten = false;
    try {
      if (tokens.size > 0) {
        const ids = [...tokens.keys()];
        const rows = [...tokens.values()];
        await writeEvenWhenClosing(
          this.dataSource,
          `UPDATE tokens AS t
              SET last_used_at = GREATEST(COALESCE(t.last_used_at, v.at), v.at),
                  last_used_ip = CASE WHEN t.last_used_at IS NULL OR v.at >= t.last_used_at THEN v.ip ELSE t.last_used_ip END,
                  use_count = t.use_count + v.n
             FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::bigint[]) AS v(id, at, ip, n)
            WHERE t.id = v.id`,
          [ids, rows.map((r) => r.at.toISOString()), rows.map((r) => r.ip), rows.map((r) => r.count)],
        );
      }
      tokensWritten = true;
      if (sessions.size > 0) {
        const ids = [...sessions.keys()];
        const rows = [...sessions.values()];
        await writeEvenWhenClosing(
          this.dataSource,
          `UPDATE sessions AS s
              SET last_used_at = GREATEST(COALESCE(s.last_used_at, v.at), v.at)
             FROM unnest($1::uuid[], $2::timestamptz[]) AS v(id, at)
            WHERE s.id = v.id`,
          [ids, rows.map((r) => r.at.toISOString())],
        );
      }
      this.spill.learnDatabase();
    } catch (err) {
      if (this.availability.reportError(err) || rethrow) {
        // Kept (a statement writes all of its table or none): added back, written later.
        if (!tokensWritten) for (const [id, u] of tokens) this.add('token', id, u);
        for (const [id, u] of sessions) this.add('session', id, u);
        if (rethrow) throw err;
        return;
      }
      this.logger.error(`usage flush failed: ${(err as Error).message}`);
    }
  }
}
