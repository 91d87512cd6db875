import { randomUUID } from 'node:crypto';
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
import type { Actor } from '@tessera/domain';
import { DataSource, type EntityManager } from 'typeorm';
import { writeEvenWhenClosing } from '../database/write-behind';
import { CLOCK, type Clock } from '../common/clock';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseAvailability } from '../database/availability';
import { SpillStore } from '../database/spill-store';
import { Metrics } from '../metrics/metrics.service';
import { AuditEvent } from './audit-event.entity';
import { type AuditRow, PendingAuditRows } from './pending-audit-rows';
import { CREDENTIAL_POLICY, credentialRoute, NETWORK_POLICY, networkRoute, RefusalWindows } from './refusal-windows';

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

const BATCH_ROWS = 1_000;

/** A row as kept in a spill file (JSON: dates as ISO strings). */
type SpilledRow = Omit<AuditRow, 'at' | 'lastAt'> & { at: string; lastAt?: string | null };

/**
 * Writes the audit trail. `record(entry, manager)` inserts inside the caller's transaction, so the
 * row commits (or rolls back) with the change. `recordDenied(entry)` buffers refused
 * authentications and writes them in batches off the request path (every flush interval and on
 * shutdown).
 *
 * Under a flood refusals are summarised (refusal-windows.ts): those tied to no organization
 * (unknown or malformed secrets, a token in the query string) as one counted row per source
 * network, action and reason a minute, the first of a new network written at once; those tied to
 * a credential individually up to 60 a minute per credential, then one count row. Open summaries
 * are written when their minute ends and on shutdown (or spilled with the rest).
 *
 * While the database is unreachable nothing buffered is lost: rows stay in memory (bounded, see
 * PendingAuditRows) and are written in their original order with their original times as soon as
 * it is back; each row carries its id, so a batch retried after a lost answer is written once. A
 * clean stop during an outage puts what it could not write in a spill file, replayed at next start.
 */
@Injectable()
export class AuditService
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger(AuditService.name);
  private readonly pending = new PendingAuditRows();
  private readonly networks = new RefusalWindows(NETWORK_POLICY, networkRoute);
  private readonly credentials = new RefusalWindows(CREDENTIAL_POLICY, credentialRoute);
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** Rows written since the database came back (reported once the backlog is written). */
  private backlogWritten: number | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly availability: DatabaseAvailability,
    private readonly spill: SpillStore,
    metrics: Metrics,
  ) {
    metrics.bufferedRows('audit', () => this.pending.size);
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.flushIntervalMs);
    this.timer.unref();
    this.availability.onUp(() => {
      this.backlogWritten = 0;
      void this.flush();
    });
  }

  /** Rows a stop during an outage could not write, from the spill files of this database. */
  async onApplicationBootstrap(): Promise<void> {
    this.spill.learnDatabase();
    try {
      await this.spill.replay<SpilledRow>('audit', async (items) => {
        const rows = items.map(fromSpilled);
        for (let i = 0; i < rows.length; i += BATCH_ROWS) await this.insertRows(rows.slice(i, i + BATCH_ROWS));
      });
    } catch (err) {
      this.logger.warn(`spilled audit rows not replayed yet: ${(err as Error).message}`);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.closeWindows();
    await this.flush(true);
  }

  /**
   * Again once the HTTP server has closed: requests answered meanwhile are written too. What still
   * cannot be written (the database is unreachable) goes to a spill file.
   */
  async onApplicationShutdown(): Promise<void> {
    this.closeWindows();
    await this.flush(true);
    if (this.pending.size === 0) return;
    const rows = this.pending.drain();
    const events = rows.reduce((n, r) => n + r.count, 0);
    try {
      const path = this.spill.write('audit', rows);
      this.logger.warn(
        `${rows.length} audit rows (${events} refused authentications) could not be written: the database is unreachable. ` +
          `Saved to ${path}; they are written at the next start.`,
      );
    } catch (err) {
      this.logger.error(`${rows.length} audit rows (${events} events) could not be written nor saved: ${(err as Error).message}`);
    }
  }

  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    const m = manager ?? this.dataSource.manager;
    await m.insert(AuditEvent, this.toRow(entry) as never);
  }

  /**
   * Refused authentication: buffered, written within a flush interval, or counted into the summary
   * row of its minute (see refusal-windows.ts).
   */
  recordDenied(entry: AuditEntry): void {
    const row = this.toRow(entry);
    const now = (row.organizationId ? this.credentials : this.networks).admit(row);
    if (now) this.pending.push(now);
  }

  /** Rows and summaries waiting to be written (diagnostics and tests). */
  get pendingRows(): number {
    return this.pending.size;
  }

  /** Keys with an open summary window: networks (tied to nothing) and credentials (diagnostics and tests). */
  get summaryWindows(): { networks: number; credentials: number } {
    return { networks: this.networks.size, credentials: this.credentials.size };
  }

  /** Ends every open summary window now: its row is written with the next flush (shutdown, tests). */
  closeWindows(): void {
    for (const row of [...this.networks.drain(), ...this.credentials.drain()]) this.pending.push(row);
  }

  /**
   * Writes buffered rows now (one multi-row INSERT per 1 000 rows). Safe to call concurrently.
   * While the database is known to be down it waits for its return, unless `force` (shutdown).
   */
  flush(force = false): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeBatches(force));
    return this.flushing;
  }

  private async writeBatches(force: boolean): Promise<void> {
    const now = this.clock.now();
    for (const row of [...this.networks.due(now), ...this.credentials.due(now)]) this.pending.push(row);
    if (this.availability.isDown && !force) return;
    for (;;) {
      const batch = this.pending.peek(BATCH_ROWS);
      if (batch.length === 0) break;
      try {
        await this.insertRows(batch);
      } catch (err) {
        if (this.availability.reportError(err)) return; // kept, in order; written when it is back
        // The database refused the rows themselves: retrying cannot help. Say so, with the count.
        this.pending.remove(batch.length);
        this.logger.error(`${batch.length} refused-authentication audit rows could not be written: ${(err as Error).message}`);
        continue;
      }
      this.pending.remove(batch.length);
      this.spill.learnDatabase();
      if (this.backlogWritten !== null) this.backlogWritten += batch.length;
    }
    const folded = this.pending.takeFolded();
    if (folded > 0) this.logger.warn(`audit buffer full: ${folded} refused authentications written as counted summary rows`);
    if (this.backlogWritten !== null) {
      if (this.backlogWritten > 0) this.logger.log(`${this.backlogWritten} audit rows kept during the database outage written`);
      this.backlogWritten = null;
    }
  }

  /**
   * One INSERT … SELECT FROM unnest(…): a single round trip and no per-row query building. Rows
   * carry their id: a batch written twice (its answer lost with the connection) is stored once.
   */
  private async insertRows(rows: AuditRow[]): Promise<void> {
    const column = <K extends keyof AuditRow>(key: K) => rows.map((r) => r[key] ?? null);
    await writeEvenWhenClosing(
      this.dataSource,
      `INSERT INTO audit_events (id, at, organization_id, actor_kind, actor_id, actor_name, action, target_type, target_id,
                                 target_name, ip, user_agent, outcome, reason, details, count, last_at)
       SELECT id, at, org, actor_kind, actor_id, actor_name, action, target_type, target_id, target_name, ip, user_agent,
              outcome, reason, details::jsonb, n, last_at
         FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::int[],
                     $17::timestamptz[])
           AS v(id, at, org, actor_kind, actor_id, actor_name, action, target_type, target_id, target_name, ip,
                user_agent, outcome, reason, details, n, last_at)
       ON CONFLICT (id) DO NOTHING`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.at.toISOString()),
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
        rows.map((r) => r.count),
        rows.map((r) => (r.lastAt && r.count > 1 ? r.lastAt.toISOString() : null)),
      ],
    );
  }

  private toRow(entry: AuditEntry): AuditRow {
    return {
      id: randomUUID(),
      at: this.clock.now(),
      count: 1,
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

function fromSpilled(r: SpilledRow): AuditRow {
  return { ...r, at: new Date(r.at), lastAt: r.lastAt ? new Date(r.lastAt) : null };
}
