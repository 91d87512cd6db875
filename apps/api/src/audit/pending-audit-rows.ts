import type { AuditEvent } from './audit-event.entity';

/** An audit_events row waiting to be written (typed loosely: TypeORM's deep-partial type rejects jsonb records). */
export type AuditRow = { [K in keyof AuditEvent]?: AuditEvent[K] } & { id: string; at: Date; count: number };

export interface PendingLimits {
  /** Individual rows kept; beyond this, further rows are folded into counted summary rows. */
  maxRows: number;
  /** Distinct summary rows kept; beyond this, summaries lose their organization/actor/target. */
  maxSummaries: number;
}

/** Outage default: 200 000 rows (≈ 600 B each) plus 10 000 summaries. */
export const DEFAULT_PENDING_LIMITS: PendingLimits = { maxRows: 200_000, maxSummaries: 10_000 };

/** How many example hints a summary row keeps. */
const MAX_HINTS = 5;

/**
 * Audit rows that are not written yet (refused authentications between flushes, or everything
 * refused while the database is unreachable), oldest first. Memory is bounded: past `maxRows` a row
 * is counted into a summary row of its kind (organization, action, reason, actor, target) that
 * keeps the first and last time, the count and a few hints; past `maxSummaries` kinds it is counted
 * into one summary per (action, reason). Nothing is ever dropped without being counted.
 *
 * Writing is peek → write → `remove(n)`: a batch that fails stays at the head, so rows are written
 * in their original order, each once.
 */
export class PendingAuditRows {
  private rows: AuditRow[] = [];
  private summaries = new Map<string, AuditRow>();
  private folded = 0;

  constructor(private readonly limits: PendingLimits = DEFAULT_PENDING_LIMITS) {}

  /** Rows and summaries waiting. */
  get size(): number {
    return this.rows.length + this.summaries.size;
  }

  /** Events waiting (a summary counts its events). */
  get events(): number {
    let n = 0;
    for (const r of this.rows) n += r.count;
    for (const s of this.summaries.values()) n += s.count;
    return n;
  }

  /** Events folded into summaries since the last call (for a warning). */
  takeFolded(): number {
    const n = this.folded;
    this.folded = 0;
    return n;
  }

  push(row: AuditRow): void {
    if (this.rows.length < this.limits.maxRows) {
      this.rows.push(row);
      return;
    }
    this.folded += row.count;
    let key = kindKey(row);
    if (!this.summaries.has(key) && this.summaries.size >= this.limits.maxSummaries) key = `*|${row.action ?? ''}|${row.reason ?? ''}`;
    const summary = this.summaries.get(key);
    if (summary) fold(summary, row);
    else this.summaries.set(key, summaryOf(row, key.startsWith('*|')));
  }

  /** The oldest `n` rows, to write next (summaries follow once every row before them is written). */
  peek(n: number): AuditRow[] {
    if (this.rows.length === 0 && this.summaries.size > 0) {
      this.rows = [...this.summaries.values()];
      this.summaries = new Map();
    }
    return this.rows.slice(0, n);
  }

  /** The first `n` rows returned by peek() are written. */
  remove(n: number): void {
    this.rows.splice(0, n);
  }

  /** Everything waiting, oldest first, and empty. */
  drain(): AuditRow[] {
    const all = [...this.rows, ...this.summaries.values()];
    this.rows = [];
    this.summaries = new Map();
    return all;
  }
}

function kindKey(row: AuditRow): string {
  return [row.organizationId, row.action, row.reason, row.actorKind, row.actorId, row.targetType, row.targetId].join('|');
}

function summaryOf(row: AuditRow, anonymous: boolean): AuditRow {
  const hint = row.details?.['hint'];
  return summaryRow(row, anonymous, row.ip ?? null, { summary: 'buffer_full', hints: typeof hint === 'string' ? [hint] : [] });
}

/**
 * The first row of a summary standing for `row` and the refusals folded into it later: its time,
 * count, action, outcome and reason; who and what only when it is not `anonymous` (a summary of
 * refusals that match nothing belongs to no organization); no user agent; the given ip and details.
 */
export function summaryRow(row: AuditRow, anonymous: boolean, ip: string | null, details: Record<string, unknown>): AuditRow {
  return {
    id: row.id,
    at: row.at,
    lastAt: row.lastAt ?? row.at,
    count: row.count,
    organizationId: anonymous ? null : (row.organizationId ?? null),
    actorKind: anonymous ? null : (row.actorKind ?? null),
    actorId: anonymous ? null : (row.actorId ?? null),
    actorName: anonymous ? null : (row.actorName ?? null),
    action: row.action,
    targetType: anonymous ? null : (row.targetType ?? null),
    targetId: anonymous ? null : (row.targetId ?? null),
    targetName: anonymous ? null : (row.targetName ?? null),
    ip,
    userAgent: null,
    outcome: row.outcome,
    reason: row.reason ?? null,
    details,
  };
}

function fold(summary: AuditRow, row: AuditRow): void {
  summary.count += row.count;
  const last = row.lastAt ?? row.at;
  if (!summary.lastAt || last > summary.lastAt) summary.lastAt = last;
  if (row.at < summary.at) summary.at = row.at;
  if (summary.ip !== row.ip) summary.ip = null;
  const hint = row.details?.['hint'];
  const hints = summary.details?.['hints'];
  if (typeof hint === 'string' && Array.isArray(hints) && hints.length < MAX_HINTS && !hints.includes(hint)) hints.push(hint);
}
