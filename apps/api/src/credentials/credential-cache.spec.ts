import { compileAccessRules, createIpMatcher } from '@tessera/domain';
import fc from 'fast-check';
import type { VerifiedCredential } from './credential';
import { CredentialCache, credentialDependencies } from './credential-cache';

function aCredential(overrides: Partial<VerifiedCredential> = {}): VerifiedCredential {
  return {
    kind: 'token',
    id: 'token-1',
    principalId: 'token-1',
    name: 'ci',
    organizationId: 'org-1',
    organizationName: 'Default',
    organizationIsRoot: true,
    roleId: 'role-1',
    subject: {
      active: true,
      revokedAt: null,
      validFrom: null,
      validTo: null,
      rules: compileAccessRules({ permissions: ['tokens:read'] }),
    },
    permissionList: ['tokens:read'],
    allowedIps: [],
    validTo: null,
    issuedAt: new Date('2026-01-01T00:00:00Z'),
    hint: 'tsr_abcd…wxyz',
    ...overrides,
  };
}

const aSession = (): VerifiedCredential =>
  aCredential({ kind: 'session', id: 'session-1', principalId: 'user-1', roleId: 'role-2' });

function aCache(): CredentialCache {
  return new CredentialCache({ max: 100, ttlMs: 60_000, negativeTtlMs: 60_000 });
}

describe('CredentialCache', () => {
  it('serves a stored credential until something it depends on changes', () => {
    const cache = aCache();
    const credential = aCredential();
    cache.setCredential('h1', credential, cache.mark());
    expect(cache.getCredential('h1')).toBe(credential);

    cache.invalidate({ kind: 'token', id: 'token-2' });
    expect(cache.getCredential('h1')).toBe(credential);

    cache.invalidate({ kind: 'token', id: 'token-1' });
    expect(cache.getCredential('h1')).toBeUndefined();
  });

  it('drops every token and session of a role when the role changes', () => {
    const cache = aCache();
    cache.setCredential('token', aCredential({ roleId: 'role-9' }), cache.mark());
    cache.setCredential('session', aCredential({ kind: 'session', id: 's', principalId: 'u', roleId: 'role-9' }), cache.mark());
    cache.setCredential('other', aCredential({ id: 'other', roleId: 'role-1' }), cache.mark());

    cache.invalidate({ kind: 'role', id: 'role-9' });

    expect(cache.getCredential('token')).toBeUndefined();
    expect(cache.getCredential('session')).toBeUndefined();
    expect(cache.getCredential('other')).toBeDefined();
  });

  it('drops a session when its user or the session itself changes', () => {
    const cache = aCache();
    expect(credentialDependencies(aSession())).toEqual(['session:session-1', 'user:user-1', 'role:role-2']);

    cache.setCredential('s', aSession(), cache.mark());
    cache.invalidate({ kind: 'user', id: 'user-1' });
    expect(cache.getCredential('s')).toBeUndefined();

    cache.setCredential('s', aSession(), cache.mark());
    cache.invalidate({ kind: 'session', id: 'session-1' });
    expect(cache.getCredential('s')).toBeUndefined();
  });

  it('never stores a lookup that raced with a change (read before, stored after the invalidation)', () => {
    const cache = aCache();
    const mark = cache.mark(); // the database is read now …
    cache.invalidate({ kind: 'token', id: 'token-1' }); // … a revoke commits meanwhile …
    cache.setCredential('h1', aCredential(), mark); // … and the old row arrives afterwards
    expect(cache.getCredential('h1')).toBeUndefined();

    // A lookup started after the change is stored and served.
    cache.setCredential('h1', aCredential(), cache.mark());
    expect(cache.getCredential('h1')).toBeDefined();
  });

  it('keeps negative entries for unknown hashes, which expire sooner', async () => {
    // lru-cache reads the clock at most once a millisecond: let that pass after each jump.
    const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
    let now = 1_000;
    const cache = new CredentialCache({ max: 100, ttlMs: 60_000, negativeTtlMs: 1_000 });
    const perf = jest.spyOn(performance, 'now').mockImplementation(() => now);
    try {
      cache.setCredential('unknown', null, cache.mark());
      cache.setCredential('known', aCredential(), cache.mark());
      expect(cache.getCredential('unknown')).toBeNull();
      now += 5_000;
      await tick();
      expect(cache.getCredential('unknown')).toBeUndefined();
      expect(cache.getCredential('known')).toBeDefined();
      now += 60_000;
      await tick();
      expect(cache.getCredential('known')).toBeUndefined();
    } finally {
      perf.mockRestore();
    }
  });

  it('caches organization allowlists until the organization changes', () => {
    const cache = aCache();
    const matcher = createIpMatcher(['10.0.0.0/8']);
    cache.setAllowlist('org-1', matcher, cache.mark());
    expect(cache.getAllowlist('org-1')).toBe(matcher);
    cache.invalidate({ kind: 'token', id: 'org-1' });
    expect(cache.getAllowlist('org-1')).toBe(matcher);
    cache.invalidate({ kind: 'org', id: 'org-1' });
    expect(cache.getAllowlist('org-1')).toBeUndefined();
  });

  it('empties itself and bypasses everything while the change feed is lost, until it resumes', () => {
    const cache = aCache();
    cache.setCredential('h1', aCredential(), cache.mark());
    const inFlight = cache.mark();

    cache.suspend();
    expect(cache.isTrusted).toBe(false);
    expect(cache.getCredential('h1')).toBeUndefined();
    cache.setCredential('h2', aCredential(), cache.mark());
    expect(cache.getCredential('h2')).toBeUndefined();

    cache.resume();
    expect(cache.isTrusted).toBe(true);
    expect(cache.getCredential('h1')).toBeUndefined();
    // A lookup that started before the loss is not stored after it.
    cache.setCredential('h3', aCredential(), inFlight);
    expect(cache.getCredential('h3')).toBeUndefined();
    cache.setCredential('h4', aCredential(), cache.mark());
    expect(cache.getCredential('h4')).toBeDefined();
  });

  it('starts over instead of remembering changes without bound', () => {
    const cache = new CredentialCache({ max: 100, ttlMs: 60_000, negativeTtlMs: 60_000, maxChanges: 3 });
    cache.setCredential('h1', aCredential({ id: 'kept', principalId: 'kept' }), cache.mark());
    for (let i = 0; i < 4; i++) cache.invalidate({ kind: 'token', id: `t${i}` });
    expect(cache.getCredential('h1')).toBeUndefined();
    cache.setCredential('h1', aCredential(), cache.mark());
    expect(cache.getCredential('h1')).toBeDefined();
  });

  it('evicts the least recently used credential beyond its bound', () => {
    const cache = new CredentialCache({ max: 2, ttlMs: 60_000, negativeTtlMs: 60_000 });
    cache.setCredential('a', aCredential(), cache.mark());
    cache.setCredential('b', aCredential(), cache.mark());
    cache.getCredential('a');
    cache.setCredential('c', aCredential(), cache.mark());
    expect(cache.size).toBe(2);
    expect(cache.getCredential('b')).toBeUndefined();
    expect(cache.getCredential('a')).toBeDefined();
  });

  describe('trusted only while the change feed has answered a heartbeat recently', () => {
    const MAX_AGE = 750;
    function aWatchedCache(): { cache: CredentialCache; at: (ms: number) => void } {
      let now = 0;
      const cache = new CredentialCache({ max: 100, ttlMs: 600_000, negativeTtlMs: 600_000, maxHeartbeatAgeMs: MAX_AGE, now: () => now });
      return { cache, at: (ms) => (now = ms) };
    }

    it('serves nothing before the first heartbeat, and nothing once the last one is too old', () => {
      const { cache, at } = aWatchedCache();
      cache.setCredential('h1', aCredential(), cache.mark());
      expect(cache.getCredential('h1')).toBeUndefined();

      cache.heartbeat(0);
      at(MAX_AGE - 1);
      expect(cache.getCredential('h1')).toBeDefined();
      at(MAX_AGE);
      expect(cache.isTrusted).toBe(false);
      expect(cache.getCredential('h1')).toBeUndefined();
      expect(cache.getAllowlist('org-1')).toBeUndefined();

      // A late heartbeat (a slow, not a dead, connection: every change before it was applied).
      cache.heartbeat(MAX_AGE - 10);
      expect(cache.getCredential('h1')).toBeDefined();
    });

    it('forgets its heartbeat when the feed is lost', () => {
      const { cache } = aWatchedCache();
      cache.heartbeat(0);
      cache.suspend();
      cache.resume();
      expect(cache.isTrusted).toBe(false);
      cache.heartbeat(1);
      expect(cache.isTrusted).toBe(true);
    });

    it('never serves an entry more than the bound after the newest heartbeat it was given (property)', () => {
      const step = fc.oneof(
        fc.record({ op: fc.constant('heartbeat' as const), lag: fc.integer({ min: 0, max: 2_000 }) }),
        fc.record({ op: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 1_000 }) }),
        fc.record({ op: fc.constant('get' as const) }),
        fc.record({ op: fc.constant('lost' as const) }),
        fc.record({ op: fc.constant('listening' as const) }),
      );
      fc.assert(
        fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
          const { cache, at } = aWatchedCache();
          let now = 0;
          /** Newest heartbeat since the feed was (re)established, if any. */
          let newest = -Infinity;
          let listening = true;
          for (const s of steps) {
            if (s.op === 'heartbeat') {
              // A heartbeat is reported when its answer arrives: it was sent `lag` ms ago.
              if (listening) {
                cache.heartbeat(now - s.lag);
                newest = Math.max(newest, now - s.lag);
              }
            } else if (s.op === 'wait') {
              now += s.ms;
              at(now);
            } else if (s.op === 'lost') {
              cache.suspend();
              listening = false;
              newest = -Infinity;
            } else if (s.op === 'listening') {
              if (!listening) cache.resume();
              listening = true;
            } else {
              cache.setCredential('h', aCredential(), cache.mark());
              const served = cache.getCredential('h') !== undefined;
              expect(served).toBe(listening && now - newest < MAX_AGE);
            }
          }
        }),
      );
    });
  });
});
