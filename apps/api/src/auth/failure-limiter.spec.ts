import { parseConfig } from '../config/app-config';
import { AuthFailureLimiter, THROTTLE_MAX_KEYS } from './failure-limiter';

function limiter(env: Record<string, string> = {}): AuthFailureLimiter {
  const config = parseConfig({ AUTH_FAILURE_LIMIT: '2', AUTH_ACCOUNT_FAILURE_LIMIT: '2', ...env });
  return new AuthFailureLimiter(config, { now: () => new Date('2031-01-01T00:00:00Z') });
}

describe('AuthFailureLimiter memory bound (keys are chosen by attackers)', () => {
  it('keeps at most THROTTLE_MAX_KEYS address buckets and accounts, however many are tried', () => {
    const l = limiter();
    for (let i = 0; i < THROTTLE_MAX_KEYS + 5_000; i++) {
      l.recordFailure(`2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`);
      l.recordAccountFailure(`user${i}@example.test`);
    }
    expect(l.sizes()).toEqual({ addresses: THROTTLE_MAX_KEYS, accounts: THROTTLE_MAX_KEYS });
  });

  it('does not let a flood of other keys evict an account that keeps being attacked', () => {
    const l = limiter();
    const victim = 'victim@example.test';
    l.recordAccountFailure(victim);
    for (let i = 0; i < THROTTLE_MAX_KEYS - 1; i++) l.recordAccountFailure(`decoy${i}@example.test`);
    l.recordAccountFailure(victim.toUpperCase()); // the attacker's next try refreshes it
    for (let i = 0; i < THROTTLE_MAX_KEYS - 1; i++) l.recordAccountFailure(`other${i}@example.test`);
    expect(l.accountRetryAfter(victim)).not.toBeNull();
  });
});

describe('AUTH_TRACKED_KEYS', () => {
  it('bounds both maps at the configured number of keys', () => {
    const l = limiter({ AUTH_TRACKED_KEYS: '300' });
    for (let i = 0; i < 1_000; i++) {
      l.recordFailure(`10.${i >> 8}.${i & 0xff}.1`);
      l.recordAccountFailure(`user${i}@example.test`);
    }
    expect(l.sizes()).toEqual({ addresses: 300, accounts: 300 });
  });
});
