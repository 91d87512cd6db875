import type { ChangeEventDto } from '@tessera/domain';
import fc from 'fast-check';
import { type CachedDecision, DecisionCache } from './decision-cache';

const allowed = (tokenId: string, expiresAt: number | null = null): CachedDecision => ({
  kind: 'allowed',
  token: { id: tokenId, name: tokenId, organizationId: 'org', permissions: ['orders:read'], expiresAt },
});
const denied = (tokenId: string): CachedDecision => ({ kind: 'denied', tokenId, status: 403, error: null, message: 'no' });
const inactive: CachedDecision = { kind: 'inactive' };

const TOKENS = ['t1', 't2', 't3'];
const op = fc.oneof(
  fc.record({ op: fc.constant<'set'>('set'), key: fc.constantFrom('k1', 'k2', 'k3', 'k4', 'k5'), decision: fc.oneof(fc.constantFrom(...TOKENS).map((t) => allowed(t)), fc.constantFrom(...TOKENS).map(denied), fc.constant(inactive)) }),
  fc.record({ op: fc.constant<'change'>('change'), change: fc.record({ kind: fc.constantFrom<ChangeEventDto['kind']>('token', 'role', 'allowlist'), id: fc.constantFrom(...TOKENS), org: fc.constant('org') }) }),
);

describe('DecisionCache', () => {
  it('never answers what a later change touched: the token, any negative entry, anything after a role or allowlist change (property)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const cache = new DecisionCache({ max: 3 });
        const model = new Map<string, CachedDecision>();
        for (const o of ops) {
          if (o.op === 'set') {
            cache.set(o.key, o.decision, cache.mark());
            model.set(o.key, o.decision);
          } else {
            cache.apply(o.change);
            for (const [k, d] of model) {
              const touched =
                o.change.kind !== 'token' || d.kind === 'inactive' || (d.kind === 'allowed' ? d.token.id : d.tokenId) === o.change.id;
              if (touched) model.delete(k);
            }
          }
          for (const key of ['k1', 'k2', 'k3', 'k4', 'k5']) {
            const got = cache.get(key);
            // The cache may have forgotten (LRU bound) but never answers a dropped or stale entry.
            if (got !== undefined) expect(got).toEqual(model.get(key));
          }
          expect(cache.size).toBeLessThanOrEqual(3);
        }
      }),
    );
  });

  it('does not store an answer fetched while something was dropped', () => {
    const cache = new DecisionCache();
    const mark = cache.mark();
    cache.apply({ kind: 'token', id: 'other', org: 'org' });
    cache.set('k', allowed('t1'), mark);
    expect(cache.get('k')).toBeUndefined();
  });

  it('keeps negative entries shorter, and no answer past the token’s own expiry', () => {
    let now = 1_000;
    const cache = new DecisionCache({ ttlMs: 60_000, negativeTtlMs: 5_000, now: () => now });
    cache.set('neg', inactive, cache.mark());
    cache.set('pos', allowed('t1'), cache.mark());
    cache.set('exp', allowed('t2', 3_000), cache.mark());
    now = 3_000;
    expect(cache.get('exp')).toBeUndefined();
    expect(cache.get('neg')).toEqual(inactive);
    now = 6_000;
    expect(cache.get('neg')).toBeUndefined();
    expect(cache.get('pos')).toEqual(allowed('t1'));
    now = 61_001;
    expect(cache.get('pos')).toBeUndefined();
  });
});
