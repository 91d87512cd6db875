import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Actor } from '@tessera/domain';
import { DataSource, type EntityManager } from 'typeorm';
import { writeEvenWhenClosing } from '../cache/write-behind';
import { CLOCK, type Clock } from '../common/clock';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { AuditEvent } from './audit-event.entity';

export interface AuditEntry {
  /** null only for refused authentications that cannot be tied to an organization. */
  organizationId: string | null;
  actor: Actor | null;
  /** Dotted verb: 'token.create', 'role.update', 'auth.login', 'auth.denied' … */
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  targetName?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  outcome: 'success' | 'failure';
  reason?: string | null;
  /** Never a secret. */
  details?: Record<string, unknown>;
}

/** Refused-authentication rows held between flushes; beyond this they are counted and dropped. */
const MAX_BUFFERED = 20_000;
const BATCH_ROWS = 1_000;
/** An audit_events row to insert (typed loosely: TypeORM's deep-partial type rejects jsonb records). */
type Row = { [K in keyof AuditEvent]?: AuditEvent[K] };

/**
 * Writes the audit trail. `record(entry, manager)` inserts inside the caller's transaction, so the
 * row commits (or rolls back) with the change. `recordDenied(entry)` buffers refused
 * authentications and writes them in batches off the request path (every flush interval and on
 * shutdown).
 */
@Injectable()
export class AuditService implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private buffer: Row[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
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

  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    const m = manager ?? this.dataSource.manager;
    await m.insert(AuditEvent, this.toRow(entry) as never);
  }

  /** Refused authentication: buffered, written within a flush interval. */
  recordDenied(entry: AuditEntry): void {
    if (this.buffer.length >= MAX_BUFFERED) {
      this.dropped++;
      return;
    }
    this.buffer.push(this.toRow(entry));
  }

  /** Writes buffered rows now (one multi-row INSERT per 1 000 rows). Safe to call concurrently. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeBatch());
    return this.flushing;
  }

  private async writeBatch(): Promise<void> {
    if (this.buffer.length === 0) return;
    const rows = this.buffer;
    this.buffer = [];
    try {
      for (let i = 0; i < rows.length; i += BATCH_ROWS) await this.insertRows(rows.slice(i, i + BATCH_ROWS));
      if (this.dropped > 0) {
        this.logger.warn(`${this.dropped} refused-authentication audit rows dropped (buffer full)`);
        this.dropped = 0;
      }
    } catch (err) {
      this.logger.error(`audit flush failed: ${(err as Error).message}`);
    }
  }

  /** One INSERT … SELECT FROM unnest(…): a single round trip and no per-row query building. */
  private async insertRows(rows: Row[]): Promise<void> {
    const column = <K extends keyof Row>(key: K) => rows.map((r) => r[key] ?? null);
    await writeEvenWhenClosing(
      this.dataSource,
      `INSERT INTO audit_events (at, organization_id, actor_kind, actor_id, actor_name, action, target_type, target_id,
                                 target_name, ip, user_agent, outcome, reason, details)
       SELECT COALESCE(at, now()), org, actor_kind, actor_id, actor_name, action, target_type, target_id, target_name, ip, user_agent,
              outcome, reason, details::jsonb
         FROM unnest($1::timestamptz[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[],
                     $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
           AS v(at, org, actor_kind, actor_id, actor_name, action, target_type, target_id, target_name, ip,
                user_agent, outcome, reason, details)`,
      [
        rows.map((r) => (r.at instanceof Date ? r.at.toISOString() : null)),
        column('organizationId'),
        column('actorKind'),
        column('actorId'),
        column('actorName'),
        column('action'),
        column('targetType'),
        column('targetId'),
        column('targetName'),
        column('ip'),
        column('userAgent'),
        column('outcome'),
        column('reason'),
        rows.map((r) => JSON.stringify(r.details ?? {})),
      ],
    );
  }

  private toRow(entry: AuditEntry): Row {
    return {
      at: this.clock.now(),
      organizationId: entry.organizationId,
      actorKind: entry.actor?.kind ?? null,
      actorId: entry.actor?.id ?? null,
      actorName: entry.actor?.name ?? null,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      targetName: entry.targetName ?? null,
      ip: entry.ip ?? null,
      userAgent: entry.userAgent ?? null,
      outcome: entry.outcome,
      reason: entry.reason ?? null,
      details: entry.details ?? {},
    };
  }
}
