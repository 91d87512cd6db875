/** Every token status, in the order they are checked. */
export const TOKEN_STATUSES = ['revoked', 'inactive', 'pending', 'expired', 'active'] as const;
export type TokenStatus = (typeof TOKEN_STATUSES)[number];

export interface StatusFields {
  active: boolean;
  revokedAt: Date | string | null;
  validFrom: Date | string | null;
  validTo: Date | string | null;
}

function timeOf(value: Date | string): number {
  return typeof value === 'string' ? Date.parse(value) : value.getTime();
}

/**
 * The token's status at `now`, first match wins: revoked (terminal), inactive
 * (reversible), pending (now < validFrom), expired (validTo <= now), active.
 * An unreadable date fails closed (pending / expired).
 */
export function tokenStatus(token: StatusFields, now: Date): TokenStatus {
  if (token.revokedAt !== null && token.revokedAt !== undefined) return 'revoked';
  if (!token.active) return 'inactive';
  const t = now.getTime();
  if (token.validFrom !== null && token.validFrom !== undefined) {
    const from = timeOf(token.validFrom);
    if (!(from <= t)) return 'pending';
  }
  if (token.validTo !== null && token.validTo !== undefined) {
    const to = timeOf(token.validTo);
    if (!(to > t)) return 'expired';
  }
  return 'active';
}
