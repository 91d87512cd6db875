import {
  TOKEN_STATUSES,
  TOKEN_STATUS_RULE,
  isTokenStatus,
  tokenStatus,
  type StatusFields,
  type TokenStatus,
} from './status';

const now = new Date('2030-06-01T12:00:00Z');
const earlier = new Date('2030-05-01T00:00:00Z');
const later = new Date('2030-07-01T00:00:00Z');

function aToken(overrides: Partial<StatusFields> = {}): StatusFields {
  return { active: true, revokedAt: null, validFrom: null, validTo: null, ...overrides };
}

/** One example per status: adding a status without an example fails to compile. */
const EXAMPLES: Record<TokenStatus, StatusFields> = {
  revoked: aToken({ revokedAt: earlier, active: false, validTo: earlier }),
  inactive: aToken({ active: false }),
  pending: aToken({ validFrom: later }),
  expired: aToken({ validTo: earlier }),
  active: aToken({ validFrom: earlier, validTo: later }),
};

describe('tokenStatus', () => {
  it.each(TOKEN_STATUSES.map((s) => [s]))('recognises a %s token', (status) => {
    expect(tokenStatus(EXAMPLES[status], now)).toBe(status);
  });

  it('the rule names every status but active once, in the order of TOKEN_STATUSES', () => {
    expect([...TOKEN_STATUS_RULE.map((r) => r.status), 'active']).toEqual([...TOKEN_STATUSES]);
  });

  it('knows the statuses by name and nothing else', () => {
    for (const s of TOKEN_STATUSES) expect(isTokenStatus(s)).toBe(true);
    for (const s of ['', 'Active', 'unknown', 'deleted', 'active '])
      expect(isTokenStatus(s)).toBe(false);
  });

  it('has an example for every status and no more', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual([...TOKEN_STATUSES].sort());
  });

  it('checks in order: revoked before inactive before pending before expired', () => {
    expect(tokenStatus(aToken({ revokedAt: earlier, active: false, validFrom: later }), now)).toBe(
      'revoked',
    );
    expect(tokenStatus(aToken({ active: false, validFrom: later, validTo: earlier }), now)).toBe(
      'inactive',
    );
    expect(tokenStatus(aToken({ validFrom: later, validTo: earlier }), now)).toBe('pending');
  });

  it('treats validTo as exclusive: a token expires at validTo', () => {
    expect(tokenStatus(aToken({ validTo: now }), now)).toBe('expired');
    expect(tokenStatus(aToken({ validTo: new Date(now.getTime() + 1) }), now)).toBe('active');
  });

  it('treats validFrom as inclusive', () => {
    expect(tokenStatus(aToken({ validFrom: now }), now)).toBe('active');
    expect(tokenStatus(aToken({ validFrom: new Date(now.getTime() + 1) }), now)).toBe('pending');
  });

  it('accepts ISO strings as well as dates', () => {
    expect(tokenStatus(aToken({ validTo: '2030-05-01T00:00:00Z' }), now)).toBe('expired');
    expect(tokenStatus(aToken({ revokedAt: '2030-05-01T00:00:00Z' }), now)).toBe('revoked');
    expect(
      tokenStatus(
        aToken({ validFrom: '2030-05-01T00:00:00.000Z', validTo: '2031-01-01T00:00:00Z' }),
        now,
      ),
    ).toBe('active');
  });

  it('fails closed on an unreadable date', () => {
    expect(tokenStatus(aToken({ validFrom: 'not a date' }), now)).toBe('pending');
    expect(tokenStatus(aToken({ validTo: 'not a date' }), now)).toBe('expired');
    expect(tokenStatus(aToken({ validTo: new Date(NaN) }), now)).toBe('expired');
  });
});
