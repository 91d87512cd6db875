import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { type AuditRow, PendingAuditRows } from './pending-audit-rows';

function aRow(i: number, kind: { org: string | null; reason: string; hint: string }): AuditRow {
  return {
    id: randomUUID(),
    at: new Date(1_700_000_000_000 + i * 1000),
    count: 1,
    organizationId: kind.org,
    action: 'auth.denied',
    outcome: 'failure',
    reason: kind.reason,
    ip: '203.0.113.7',
    details: { hint: kind.hint },
  };
}

const kinds = fc.record({
  org: fc.constantFrom(null, '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'),
  reason: fc.constantFrom('unknown', 'revoked', 'inactive', 'malformed'),
  hint: fc.constantFrom('tsr_AAAA…aaaa', 'tsr_BBBB…bbbb', 'tsr_CCCC…cccc'),
});

/** Writes everything in batches of `batch`, failing every `failEvery`-th write (kept, retried). */
function writeAll(pending: PendingAuditRows, batch: number, failEvery: number): AuditRow[] {
  const written: AuditRow[] = [];
  for (let attempt = 1; ; attempt++) {
    const rows = pending.peek(batch);
    if (rows.length === 0) return written;
    if (attempt % failEvery === 0) continue; // the database did not take it: the batch stays at the head
    written.push(...rows);
    pending.remove(rows.length);
  }
}

describe('PendingAuditRows (refused authentications waiting to be written)', () => {
  it('never loses an event: every row is written once, in order, or counted in a summary', () => {
    fc.assert(
      fc.property(
        fc.array(kinds, { maxLength: 300 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 2, max: 5 }),
        (events, maxRows, maxSummaries, batch, failEvery) => {
          const pending = new PendingAuditRows({ maxRows, maxSummaries });
          const pushed = events.map((k, i) => aRow(i, k));
          for (const row of pushed) pending.push(row);
          expect(pending.size).toBeLessThanOrEqual(maxRows + maxSummaries + 4 * 4); // (action, reason) catch-alls
          const written = writeAll(pending, batch, failEvery);
          expect(written.reduce((n, r) => n + r.count, 0)).toBe(events.length);
          expect(new Set(written.map((r) => r.id)).size).toBe(written.length);
          const individual = written.filter((r) => r.count === 1 && r.details?.['summary'] === undefined);
          expect(individual.map((r) => r.id)).toEqual(pushed.slice(0, individual.length).map((r) => r.id));
          expect(pending.size).toBe(0);
        },
      ),
    );
  });

  it('summarises past the bound with the first and last time, the count and example hints', () => {
    const pending = new PendingAuditRows({ maxRows: 2, maxSummaries: 10 });
    const kind = { org: null, reason: 'unknown', hint: 'tsr_AAAA…aaaa' };
    for (let i = 0; i < 10; i++) pending.push(aRow(i, { ...kind, hint: `tsr_${i}…` }));
    expect(pending.size).toBe(3);
    expect(pending.takeFolded()).toBe(8);
    const rows = writeAll(pending, 100, 1_000);
    const summary = rows[2];
    expect(summary).toMatchObject({ count: 8, reason: 'unknown', at: new Date(1_700_000_002_000), lastAt: new Date(1_700_000_009_000) });
    expect(summary?.details?.['hints']).toEqual(['tsr_2…', 'tsr_3…', 'tsr_4…', 'tsr_5…', 'tsr_6…']);
  });
});
