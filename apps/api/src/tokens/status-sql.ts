import { TOKEN_STATUS_RULE, type StatusTest, type TokenStatus } from '@tessera/domain';

/** SQL expressions of the status fields of the table being filtered, e.g. `t.revokedAt`. */
export type StatusColumns = Readonly<Record<StatusTest['field'], string>>;

/** Null-safe, so its negation (NOT …) is never NULL: an empty field fails every test. */
function testSql(when: StatusTest, columns: StatusColumns, now: string): string {
  const column = columns[when.field];
  switch (when.test) {
    case 'set':
      return `${column} IS NOT NULL`;
    case 'false':
      return `${column} = false`;
    case 'after-now':
      return `(${column} IS NOT NULL AND ${column} > ${now})`;
    case 'not-after-now':
      return `(${column} IS NOT NULL AND ${column} <= ${now})`;
  }
}

/**
 * The WHERE condition "the token's status at `now` is `status`", built from the domain's
 * TOKEN_STATUS_RULE exactly as `tokenStatus()` reads it: the status's own test passes and no test
 * of an earlier status does (`active`: no test passes). `now` is a bound parameter (`:now`).
 * Compared with `tokenStatus()` over generated rows on PostgreSQL in status-sql.db.spec.ts.
 */
export function statusCondition(status: TokenStatus, columns: StatusColumns, now = ':now'): string {
  const parts: string[] = [];
  for (const rule of TOKEN_STATUS_RULE) {
    const test = testSql(rule.when, columns, now);
    if (rule.status === status) return [...parts, test].join(' AND ');
    parts.push(`NOT ${test}`);
  }
  if (status === 'active') return parts.join(' AND ');
  throw new Error(`no status rule for ${String(status)}`);
}
