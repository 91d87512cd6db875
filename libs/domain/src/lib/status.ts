/** Every token status, in the order they are checked. */
export const TOKEN_STATUSES = ['revoked', 'inactive', 'pending', 'expired', 'active'] as const;
export type TokenStatus = (typeof TOKEN_STATUSES)[number];

export interface StatusFields {
  active: boolean;
  revokedAt: Date | string | null;
  validFrom: Date | string | null;
  validTo: Date | string | null;
}

/**
 * One test on one status field. `set`: the field holds a value; `false`: the flag is false;
 * `after-now`: the field holds an instant later than now (or one that cannot be read);
 * `not-after-now`: the field holds an instant at or before now (or one that cannot be read).
 * An empty field never passes a time test.
 */
export type StatusTest =
  | { field: 'revokedAt'; test: 'set' }
  | { field: 'active'; test: 'false' }
  | { field: 'validFrom' | 'validTo'; test: 'after-now' | 'not-after-now' };

/**
 * THE status rule (SPEC §3), as data: the first status whose test passes wins; `active` when none
 * does. `tokenStatus()` evaluates it, and the api builds its SQL list filter from it
 * (`tokens/status-sql.ts`), so the two cannot drift apart.
 */
export const TOKEN_STATUS_RULE: readonly {
  status: Exclude<TokenStatus, 'active'>;
  when: StatusTest;
}[] = [
  { status: 'revoked', when: { field: 'revokedAt', test: 'set' } },
  { status: 'inactive', when: { field: 'active', test: 'false' } },
  { status: 'pending', when: { field: 'validFrom', test: 'after-now' } },
  { status: 'expired', when: { field: 'validTo', test: 'not-after-now' } },
];

function timeOf(value: Date | string): number {
  return typeof value === 'string' ? Date.parse(value) : value.getTime();
}

function passes(token: StatusFields, when: StatusTest, now: number): boolean {
  switch (when.test) {
    case 'set':
      return token[when.field] !== null && token[when.field] !== undefined;
    case 'false':
      return !token[when.field];
    case 'after-now':
    case 'not-after-now': {
      const value = token[when.field];
      if (value === null || value === undefined) return false;
      const t = timeOf(value);
      // Written so that NaN (an unreadable date) passes both: it fails closed.
      return when.test === 'after-now' ? !(t <= now) : !(t > now);
    }
  }
}

/**
 * The token's status at `now`, first match wins: revoked (terminal), inactive
 * (reversible), pending (now < validFrom), expired (validTo <= now), active.
 * An unreadable date fails closed (pending / expired).
 */
export function tokenStatus(token: StatusFields, now: Date): TokenStatus {
  const t = now.getTime();
  for (const { status, when } of TOKEN_STATUS_RULE) {
    if (passes(token, when, t)) return status;
  }
  return 'active';
}

/** True for a string that names a status (e.g. a list filter taken from a query string). */
export function isTokenStatus(value: string): value is TokenStatus {
  return (TOKEN_STATUSES as readonly string[]).includes(value);
}
