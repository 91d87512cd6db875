import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Actor } from '@tessera/domain';
import { DataSource, type EntityManager } from 'typeorm';
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

const MAX_BUFFERED = 10_000;
/** An audit_events row to insert (typed loosely: TypeORM's deep-partial type rejects jsonb records). */
type Row = { [K in keyof AuditEvent]?: AuditEvent[K] };

/**
 * Writes the audit trail. `record(entry, manager)` inserts inside the caller's transaction, so the
 * row commits (or rolls back) with the change. `recordDenied(entry)` buffers refused
 * authentications and writes them in batches off the request path (every flush interval and on
 * shutdown).
 */
@Injectable()
export class AuditService implements OnModuleInit, BeforeApplicationShutdown {
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

  /** Writes buffered rows now. Safe to call concurrently. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.buffer.length === 0) return;
      const rows = this.buffer;
      this.buffer = [];
      try {
        for (let i = 0; i < rows.length; i += 500) {
          await this.dataSource.manager.insert(AuditEvent, rows.slice(i, i + 500) as never);
        }
        if (this.dropped > 0) {
          this.logger.warn(`${this.dropped} refused-authentication audit rows dropped (buffer full)`);
          this.dropped = 0;
        }
      } catch (err) {
        if (!this.dataSource.isInitialized) return;
        this.logger.error(`audit flush failed: ${(err as Error).message}`);
      }
    });
    return this.flushing;
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
