import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { writeEvenWhenClosing } from '../cache/write-behind';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

interface Usage {
  at: Date;
  ip: string;
  count: number;
}

/**
 * Last-used time, IP and use count of tokens (and last-used time of sessions), kept in memory and
 * written in one statement per table every flush interval (≤ 1 s) and on shutdown. No database
 * write happens on the request path. These UPDATEs do not touch `version` or `updated_at`.
 */
@Injectable()
export class UsageRecorder implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(UsageRecorder.name);
  private tokens = new Map<string, Usage>();
  private sessions = new Map<string, Usage>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.flushIntervalMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  /** Again once the HTTP server has closed: requests answered meanwhile are written too. */
  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  touch(kind: 'token' | 'session', id: string, ip: string, at: Date): void {
    const map = kind === 'token' ? this.tokens : this.sessions;
    const u = map.get(id);
    if (u) {
      u.count++;
      if (at >= u.at) {
        u.at = at;
        u.ip = ip;
      }
    } else {
      map.set(id, { at, ip, count: 1 });
    }
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeBatch());
    return this.flushing;
  }

  private async writeBatch(): Promise<void> {
    const tokens = this.tokens;
    const sessions = this.sessions;
    if (tokens.size === 0 && sessions.size === 0) return;
    this.tokens = new Map();
    this.sessions = new Map();
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
    } catch (err) {
      this.logger.error(`usage flush failed: ${(err as Error).message}`);
    }
  }
}
