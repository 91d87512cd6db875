import fc from 'fast-check';
import {
  compileAccessRules,
  decideAccess,
  presentedStatus,
  type AccessRequest,
  type AccessSubject,
} from './access';
import { createIpMatcher } from './ip';
import { tokenStatus } from './status';

const NO_ORG_LIST = createIpMatcher([]);
const T0 = Date.parse('2030-06-01T12:00:00Z');
const RULES = compileAccessRules({ permissions: ['*:*'] });

/** A date within a day of T0 (or none). */
const arbInstant = fc.integer({ min: -86_400_000, max: 86_400_000 }).map((d) => new Date(T0 + d));
const arbSubject = fc.record({
  active: fc.boolean(),
  revokedAt: fc.option(arbInstant, { nil: null }),
  validFrom: fc.option(arbInstant, { nil: null }),
  validTo: fc.option(arbInstant, { nil: null }),
  graceUntil: fc.option(arbInstant, { nil: null }),
});

function request(now: Date): AccessRequest {
  return {
    method: 'GET',
    path: '/api/v1/tokens',
    ip: '203.0.113.7',
    requiredPermission: null,
    now,
  };
}

describe('the grace-secret rule (a previous secret kept by regenerate)', () => {
  it('a previous secret is unknown from graceUntil on, whatever the token status (property)', () => {
    fc.assert(
      fc.property(arbSubject, arbInstant, (fields, now) => {
        const subject: AccessSubject = { ...fields, rules: RULES };
        const lapsed = fields.graceUntil !== null && now.getTime() >= fields.graceUntil.getTime();
        const decision = decideAccess(subject, request(now), NO_ORG_LIST);
        if (lapsed) {
          expect(presentedStatus(subject, now)).toBe('unknown');
          expect(decision).toMatchObject({ allowed: false, status: 401, reason: 'unknown' });
        } else {
          // Within its grace (or a current secret) the secret is exactly the token.
          expect(presentedStatus(subject, now)).toBe(tokenStatus(subject, now));
          const status = tokenStatus(subject, now);
          if (status === 'active') expect(decision.allowed).toBe(true);
          else expect(decision).toMatchObject({ allowed: false, reason: status });
        }
      }),
    );
  });

  it('a lapsed previous secret never opens anything, not even a token that is otherwise active (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_400_000 }), (after) => {
        const graceUntil = new Date(T0);
        const subject: AccessSubject = {
          active: true,
          revokedAt: null,
          validFrom: null,
          validTo: null,
          graceUntil,
          rules: RULES,
        };
        expect(decideAccess(subject, request(new Date(T0 + after)), NO_ORG_LIST).allowed).toBe(
          false,
        );
      }),
    );
  });

  it('works up to the millisecond before graceUntil and not at graceUntil', () => {
    const graceUntil = new Date(T0);
    const subject: AccessSubject = {
      active: true,
      revokedAt: null,
      validFrom: null,
      validTo: null,
      graceUntil,
      rules: RULES,
    };
    expect(decideAccess(subject, request(new Date(T0 - 1)), NO_ORG_LIST).allowed).toBe(true);
    expect(decideAccess(subject, request(new Date(T0)), NO_ORG_LIST)).toMatchObject({
      allowed: false,
      reason: 'unknown',
    });
  });

  it('explains a lapsed previous secret as a failed lookup', () => {
    const subject: AccessSubject = {
      active: true,
      revokedAt: null,
      validFrom: null,
      validTo: null,
      graceUntil: new Date(T0 - 1),
      rules: RULES,
    };
    const decision = decideAccess(subject, request(new Date(T0)), NO_ORG_LIST, { explain: true });
    expect(decision.steps).toEqual([expect.objectContaining({ step: 'lookup', ok: false })]);
  });
});
