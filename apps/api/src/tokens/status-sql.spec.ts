import { TOKEN_STATUSES, tokenStatus, type StatusFields } from '@tessera/domain';
import fc from 'fast-check';
import { Client } from 'pg';
import { createTestApp, type TestApp } from '../testing/test-app';
import { statusCondition } from './status-sql';

const NOW = new Date('2030-06-01T12:00:00.000Z');
const COLUMNS = { revokedAt: 'p.revoked_at', active: 'p.active', validFrom: 'p.valid_from', validTo: 'p.valid_to' } as const;

/** Instants near NOW, NOW itself and a millisecond either side included (the boundaries), or none. */
const arbInstant = fc.option(
  fc.oneof(
    fc.constantFrom(-1, 0, 1).map((d) => new Date(NOW.getTime() + d)),
    fc.integer({ min: -3_600_000, max: 3_600_000 }).map((d) => new Date(NOW.getTime() + d)),
  ),
  { nil: null },
);
const arbRow = fc.record({ active: fc.boolean(), revokedAt: arbInstant, validFrom: arbInstant, validTo: arbInstant });

describe('the token list status filter (SQL built from TOKEN_STATUS_RULE)', () => {
  let t: TestApp;
  const rows: StatusFields[] = fc.sample(arbRow, { numRuns: 400, seed: 20261202 });

  beforeAll(async () => {
    t = await createTestApp();
    // The app's connection (t.db) is the runtime role, which may not create tables: the owner does.
    const owner = new Client({ connectionString: t.databaseUrls.owner });
    await owner.connect();
    try {
      await owner.query(
        `CREATE TABLE status_probe (n integer PRIMARY KEY, active boolean NOT NULL, revoked_at timestamptz,
                                    valid_from timestamptz, valid_to timestamptz)`,
      );
      await owner.query(`GRANT SELECT, INSERT ON status_probe TO "${decodeURIComponent(new URL(t.databaseUrls.runtime).username)}"`);
    } finally {
      await owner.end();
    }
    for (const [n, r] of rows.entries()) {
      await t.db.query('INSERT INTO status_probe VALUES ($1, $2, $3, $4, $5)', [n, r.active, r.revokedAt, r.validFrom, r.validTo]);
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each(TOKEN_STATUSES.map((s) => [s]))('selects exactly the rows tokenStatus() calls %s', async (status) => {
    const found: { n: number }[] = await t.db.query(
      `SELECT n FROM status_probe p, (SELECT $1::timestamptz AS now) q WHERE ${statusCondition(status, COLUMNS, 'q.now')} ORDER BY n`,
      [NOW],
    );
    const expected = rows.flatMap((r, n) => (tokenStatus(r, NOW) === status ? [n] : []));
    expect(found.map((f) => f.n)).toEqual(expected);
  });

  it('puts every row in exactly one status', async () => {
    const counts: { n: number; c: number }[] = await t.db.query(
      `SELECT n, (${TOKEN_STATUSES.map((s) => `(CASE WHEN ${statusCondition(s, COLUMNS, 'q.now')} THEN 1 ELSE 0 END)`).join(' + ')}) AS c
         FROM status_probe p, (SELECT $1::timestamptz AS now) q`,
      [NOW],
    );
    expect(counts.filter((r) => Number(r.c) !== 1)).toEqual([]);
    expect(counts).toHaveLength(rows.length);
  });

  it('refuses a status that has no rule instead of treating it as active', () => {
    expect(() => statusCondition('deleted' as never, COLUMNS)).toThrow(/no status rule/);
  });
});
