import fc from 'fast-check';
import { compileAccessRules, decideAccess } from './access';
import { endpointRuleMatches } from './endpoints';
import { createIpMatcher } from './ip';
import {
  patternIncluded,
  patternsMayOverlap,
  parsePattern,
  intersection,
} from './authorization-endpoints';
import {
  type PrincipalRights,
  mayGrantPermission,
  refusalDetail,
  refusalsOf,
  rightsCover,
  userRights,
  widerThanCaller,
} from './authorization';

const T = new Date('2030-01-01T00:00:00Z');
const at = (minutes: number) => new Date(T.getTime() + minutes * 60_000);

// ----------------------------------------------------------------- small worlds to draw from

const PERMISSIONS = [
  'tokens:read',
  'tokens:write',
  'tokens:*',
  '*:read',
  '*:*',
  'roles:read',
  'audit:read',
  'users:write',
];
const IP_RULES = [
  '10.0.0.0/8',
  '10.1.0.0/16',
  '10.1.2.3',
  '192.168.0.0/16',
  '::1',
  '2001:db8::/32',
  '0.0.0.0/0',
  '::ffff:10.1.2.0/120',
];
const ENDPOINT_RULES = [
  'GET /a/**',
  '* /a/**',
  'DELETE /a/*',
  'GET /a/b',
  '* /**',
  'POST /b',
  'DELETE /**',
  'GET /a/B',
  'GET /a/*/c',
  '* /a',
  'HEAD /a/b',
  'GET /%61/b',
];
const ORIGIN_RULES = [
  'https://a.example.com',
  'https://*.example.com',
  'https://b.example.com',
  'http://a.example.com',
  'https://*.other.com',
  'https://x0.example.com',
];

const METHODS = ['GET', 'HEAD', 'POST', 'DELETE', 'PATCH'];
const PATHS = [
  '/a',
  '/a/',
  '/a/b',
  '/a/B',
  '/a/x',
  '/a/b/c',
  '/a/x/c',
  '/b',
  '/c',
  '/',
  '/a//b',
  '/%61/b',
  '/a/b/c/d',
];
const IPS = [
  '10.1.2.3',
  '10.2.0.1',
  '10.1.9.9',
  '192.168.1.1',
  '::1',
  '2001:db8::5',
  '8.8.8.8',
  '::ffff:10.1.2.3',
  'not-an-ip',
];
const ORIGINS = [
  null,
  'https://a.example.com',
  'https://zz.example.com',
  'http://a.example.com',
  'https://a.other.com',
  'https://b.example.com',
];
const TIMES = [0, 45, 90, 180, 100_000];

const subset = <T>(items: readonly T[], maxLength: number) =>
  fc.uniqueArray(fc.constantFrom(...items), { maxLength });
const maybeDate = (minutes: readonly (number | null)[]) =>
  fc.constantFrom(...minutes).map((m) => (m === null ? null : at(m)));

export const arbitraryRights: fc.Arbitrary<PrincipalRights> = fc.record({
  permissions: fc.uniqueArray(fc.constantFrom(...PERMISSIONS), { minLength: 1, maxLength: 3 }),
  allowedIps: subset(IP_RULES, 3),
  blockedIps: subset(IP_RULES, 2),
  allowedEndpoints: subset(ENDPOINT_RULES, 3),
  blockedEndpoints: subset(ENDPOINT_RULES, 2),
  allowedOrigins: subset(ORIGIN_RULES, 2),
  validFrom: maybeDate([null, -60, 30]),
  validTo: maybeDate([null, 60, 120, 200]),
});

const arbitraryRequest = fc.record({
  method: fc.constantFrom(...METHODS),
  path: fc.constantFrom(...PATHS),
  ip: fc.constantFrom(...IPS),
  origin: fc.constantFrom(...ORIGINS),
  minutes: fc.constantFrom(...TIMES),
  permission: fc.constantFrom(
    'tokens:read',
    'tokens:write',
    'roles:read',
    'audit:read',
    'users:write',
    'billing:read',
  ),
});
type Request = typeof arbitraryRequest extends fc.Arbitrary<infer R> ? R : never;

const noOrgAllowlist = createIpMatcher([]);

/** What the guard answers the principal for this request (the one `decideAccess`). */
function guardAllows(rights: PrincipalRights, r: Request): boolean {
  const subject = {
    active: true,
    revokedAt: null,
    validFrom: rights.validFrom ?? null,
    validTo: rights.validTo ?? null,
    rules: compileAccessRules({ ...rights }),
  };
  return decideAccess(
    subject,
    {
      method: r.method,
      path: r.path,
      ip: r.ip,
      origin: r.origin,
      requiredPermission: r.permission,
      now: at(r.minutes),
    },
    noOrgAllowlist,
  ).allowed;
}

// ----------------------------------------------------------------- properties

describe('widerThanCaller: the caller covers the target in every dimension', () => {
  it('is sound: when it finds nothing wider, every request the guard lets the target make, it lets the caller make', () => {
    fc.assert(
      fc.property(
        arbitraryRights,
        arbitraryRights,
        fc.array(arbitraryRequest, { minLength: 40, maxLength: 40 }),
        (caller, target, requests) => {
          if (!rightsCover(caller, target, T)) return;
          for (const r of requests) {
            if (guardAllows(target, r)) expect(guardAllows(caller, r)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is sound against a target derived from the caller by narrowing (the common case is covered often)', () => {
    const narrowed = arbitraryRights.chain((caller) =>
      fc
        .record({
          dropPermissions: fc.boolean(),
          addAllowedIp: fc.option(fc.constantFrom(...IP_RULES), { nil: undefined }),
          addBlockedIp: fc.option(fc.constantFrom(...IP_RULES), { nil: undefined }),
          addBlockedEndpoint: fc.option(fc.constantFrom(...ENDPOINT_RULES), { nil: undefined }),
          addAllowedEndpoint: fc.option(fc.constantFrom(...ENDPOINT_RULES), { nil: undefined }),
          validTo: maybeDate([null, 60, 120, 200]),
        })
        .map((n) => {
          const target: PrincipalRights = {
            ...caller,
            permissions:
              n.dropPermissions && caller.permissions.length > 1
                ? caller.permissions.slice(1)
                : caller.permissions,
            blockedIps: [...(caller.blockedIps ?? []), ...(n.addBlockedIp ? [n.addBlockedIp] : [])],
            blockedEndpoints: [
              ...(caller.blockedEndpoints ?? []),
              ...(n.addBlockedEndpoint ? [n.addBlockedEndpoint] : []),
            ],
            validTo: n.validTo,
          };
          if ((caller.allowedIps ?? []).length === 0 && n.addAllowedIp)
            target.allowedIps = [n.addAllowedIp];
          if ((caller.allowedEndpoints ?? []).length === 0 && n.addAllowedEndpoint)
            target.allowedEndpoints = [n.addAllowedEndpoint];
          return { caller, target };
        }),
    );
    fc.assert(
      fc.property(
        narrowed,
        fc.array(arbitraryRequest, { minLength: 40, maxLength: 40 }),
        ({ caller, target }, requests) => {
          if (!rightsCover(caller, target, T)) return;
          for (const r of requests) {
            if (guardAllows(target, r)) expect(guardAllows(caller, r)).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('covers itself: every principal may act on itself and on a copy of itself', () => {
    fc.assert(
      fc.property(arbitraryRights, (rights) => {
        expect(widerThanCaller(rights, rights, T)).toEqual([]);
        expect(widerThanCaller(rights, structuredClone(rights), T)).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('is transitive on what the guard allows: a chain of covered targets is covered by the first caller', () => {
    fc.assert(
      fc.property(
        arbitraryRights,
        arbitraryRights,
        arbitraryRights,
        fc.array(arbitraryRequest, { minLength: 30, maxLength: 30 }),
        (a, b, c, requests) => {
          if (!(rightsCover(a, b, T) && rightsCover(b, c, T))) return;
          for (const r of requests) if (guardAllows(c, r)) expect(guardAllows(a, r)).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('a user (no limits) covers exactly the tokens whose permissions its role covers', () => {
    fc.assert(
      fc.property(arbitraryRights, arbitraryRights, (user, token) => {
        const wider = widerThanCaller(userRights(user.permissions), token, T);
        expect(wider.every((w) => w.field === 'permissions')).toBe(true);
        expect(wider.length === 0).toBe(
          token.permissions.every((p) => mayGrantPermission(user.permissions, p)),
        );
      }),
    );
  });

  it('a token with any limit never covers a user (a user has none)', () => {
    fc.assert(
      fc.property(arbitraryRights, fc.constantFrom(...PERMISSIONS), (token, permission) => {
        const limited =
          (token.allowedIps ?? []).length +
            (token.blockedIps ?? []).length +
            (token.allowedEndpoints ?? []).length +
            (token.blockedEndpoints ?? []).length +
            (token.allowedOrigins ?? []).length >
            0 || token.validTo;
        const user = userRights([permission]);
        const wider = widerThanCaller(token, user, T).filter((w) => w.field !== 'permissions');
        // allowedIps 0.0.0.0/0 + ::1 etc. may still limit; a limit that limits nothing is fine to ignore
        if (!limited) expect(wider).toEqual([]);
        if (token.validTo) expect(wider.map((w) => w.field)).toContain('validTo');
      }),
    );
  });
});

describe('endpoint patterns, judged by endpointRuleMatches over every path and method of a small world', () => {
  const WORLD_PATHS = [...PATHS, '/a/z', '/z', '/a/b/z', '/b/a', '/a/%42'];
  const requests = METHODS.flatMap((m) => WORLD_PATHS.map((p) => [m, p] as const));
  const rule = fc.constantFrom(
    ...ENDPOINT_RULES,
    '* /a/*',
    'GET /**',
    'GET /',
    'POST /a/*/**',
    'GET /a/b/**',
  );

  it('patternIncluded(p, q) only when every request p matches, q matches', () => {
    fc.assert(
      fc.property(rule, rule, (p, q) => {
        if (!patternIncluded(parsePattern(p), parsePattern(q))) return;
        for (const [m, path] of requests)
          if (endpointRuleMatches(p, m, path)) expect(endpointRuleMatches(q, m, path)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('patternsMayOverlap is false only when no request matches both', () => {
    fc.assert(
      fc.property(rule, rule, (p, q) => {
        if (patternsMayOverlap(parsePattern(p), parsePattern(q))) return;
        for (const [m, path] of requests)
          expect(endpointRuleMatches(p, m, path) && endpointRuleMatches(q, m, path)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('intersection matches exactly the requests both match', () => {
    fc.assert(
      fc.property(rule, rule, (p, q) => {
        const i = intersection(parsePattern(p), parsePattern(q));
        if (i === null) return;
        for (const [m, path] of requests) {
          expect(endpointRuleMatches(i.text, m, path)).toBe(
            endpointRuleMatches(p, m, path) && endpointRuleMatches(q, m, path),
          );
        }
      }),
      { numRuns: 1000 },
    );
  });
});

// ----------------------------------------------------------------- examples

describe('widerThanCaller: examples', () => {
  const admin = userRights(['*:*']);
  const tokenWriter: PrincipalRights = { permissions: ['tokens:read', 'tokens:write'] };

  it('names the permissions a target holds beyond the caller', () => {
    expect(widerThanCaller(tokenWriter, { permissions: ['*:*', 'tokens:read'] }, T)).toEqual([
      { field: 'permissions', message: "*:* beyond the caller's permissions" },
    ]);
    expect(widerThanCaller(admin, { permissions: ['*:*'], allowedIps: ['10.0.0.0/8'] }, T)).toEqual(
      [],
    );
  });

  it('an empty blocked list lifts the blocks the caller is held to', () => {
    const held: PrincipalRights = {
      permissions: ['tokens:write'],
      blockedEndpoints: ['DELETE /api/v1/**'],
      blockedIps: ['10.0.0.0/8'],
    };
    const freed: PrincipalRights = {
      permissions: ['tokens:write'],
      blockedEndpoints: [],
      blockedIps: [],
    };
    expect(widerThanCaller(held, freed, T)).toEqual([
      {
        field: 'blockedIps',
        message: 'would no longer block 10.0.0.0/8, which the caller is blocked from',
      },
      {
        field: 'blockedEndpoints',
        message: 'would no longer block DELETE /api/v1/**, which the caller is blocked from',
      },
    ]);
  });

  it('judges rules by what they reach, not how they are written', () => {
    const caller: PrincipalRights = {
      permissions: ['*:*'],
      allowedIps: ['10.0.0.0/8'],
      blockedEndpoints: ['DELETE /api/v1/**'],
      allowedOrigins: ['https://*.example.com'],
    };
    const inside: PrincipalRights = {
      permissions: ['tokens:read'],
      allowedIps: ['10.1.0.0/16', '::ffff:10.2.0.0/112'],
      allowedEndpoints: ['GET /api/v1/**', '* /api/v1/tokens/**'],
      blockedEndpoints: ['DELETE /api/v1/tokens/**'],
      allowedOrigins: ['https://app.example.com'],
    };
    expect(widerThanCaller(caller, inside, T)).toEqual([]);
    expect(
      widerThanCaller(caller, { ...inside, allowedIps: ['10.0.0.0/7'] }, T).map((w) => w.field),
    ).toEqual(['allowedIps']);
    expect(widerThanCaller(caller, { ...inside, allowedIps: [] }, T)[0]?.message).toBe(
      "allows any address, outside the caller's allowed IPs (10.0.0.0/8)",
    );
    expect(
      widerThanCaller(caller, { ...inside, blockedEndpoints: [] }, T).map((w) => w.field),
    ).toEqual(['blockedEndpoints']);
    expect(
      widerThanCaller(
        caller,
        { ...inside, allowedOrigins: ['https://*.example.com', 'https://evil.test'] },
        T,
      ),
    ).toEqual([
      {
        field: 'allowedOrigins',
        message: "https://evil.test outside the caller's allowed origins (https://*.example.com)",
      },
    ]);
    expect(
      widerThanCaller(caller, { ...inside, allowedOrigins: [] }, T).map((w) => w.field),
    ).toEqual(['allowedOrigins']);
  });

  it('allowed lists that reach only blocked addresses or endpoints do not need the block repeated', () => {
    const caller: PrincipalRights = {
      permissions: ['*:*'],
      blockedIps: ['10.0.0.5'],
      blockedEndpoints: ['DELETE /**'],
    };
    expect(
      widerThanCaller(
        caller,
        {
          permissions: ['*:*'],
          allowedIps: ['192.168.0.0/16'],
          allowedEndpoints: ['GET /api/v1/**'],
        },
        T,
      ),
    ).toEqual([]);
  });

  it('holds a token to its validity: set, no later, and never earlier once started', () => {
    const caller: PrincipalRights = { permissions: ['*:*'], validFrom: at(-60), validTo: at(60) };
    expect(widerThanCaller(caller, { permissions: ['*:*'], validTo: at(30) }, T)).toEqual([]);
    expect(
      widerThanCaller(caller, { permissions: ['*:*'], validTo: null }, T).map((w) => w.field),
    ).toEqual(['validTo']);
    expect(
      widerThanCaller(caller, { permissions: ['*:*'], validTo: at(61) }, T).map((w) => w.field),
    ).toEqual(['validTo']);
    const later: PrincipalRights = { permissions: ['*:*'], validFrom: at(30), validTo: at(60) };
    expect(
      widerThanCaller(later, { permissions: ['*:*'], validFrom: at(10), validTo: at(60) }, T).map(
        (w) => w.field,
      ),
    ).toEqual(['validFrom']);
  });
});

describe('refusalsOf: which side of a change must be covered', () => {
  const narrow: PrincipalRights = { permissions: ['tokens:read', 'tokens:write'] };
  const wide: PrincipalRights = { permissions: ['*:*'] };

  it.each(['update', 'regenerate', 'activate', 'deactivate', 'revoke', 'delete'] as const)(
    'refuses %s of a wider principal',
    (kind) => {
      expect(refusalsOf(narrow, { kind, current: wide }, T)).toEqual([
        { side: 'current', field: 'permissions', message: "*:* beyond the caller's permissions" },
      ]);
    },
  );

  it('lets a principal act on itself, but never loosen itself', () => {
    const self: PrincipalRights = {
      permissions: ['tokens:write'],
      blockedEndpoints: ['DELETE /api/v1/**'],
    };
    expect(refusalsOf(self, { kind: 'delete', current: self, self: true }, T)).toEqual([]);
    expect(
      refusalsOf(
        self,
        { kind: 'update', current: self, result: { ...self, blockedEndpoints: [] }, self: true },
        T,
      ),
    ).toEqual([
      {
        side: 'result',
        field: 'blockedEndpoints',
        message: 'would no longer block DELETE /api/v1/**, which the caller is blocked from',
      },
    ]);
  });

  it('checks what a change produces as well as what it changes', () => {
    expect(
      refusalsOf(narrow, { kind: 'create', result: { permissions: ['tokens:read'] } }, T),
    ).toEqual([]);
    const refusals = refusalsOf(
      narrow,
      { kind: 'update', current: { permissions: ['tokens:read'] }, result: wide },
      T,
    );
    expect(refusals.map((r) => r.side)).toEqual(['result']);
    expect(refusalDetail('token', refusals)).toBe(
      "The token would be wider than the caller: permissions *:* beyond the caller's permissions",
    );
  });

  it('mayGrantPermission follows the permission grammar (wildcards need wildcards)', () => {
    expect(mayGrantPermission(['tokens:*'], 'tokens:write')).toBe(true);
    expect(mayGrantPermission(['tokens:write', 'tokens:read'], 'tokens:*')).toBe(false);
    expect(mayGrantPermission(['*:read'], 'audit:read')).toBe(true);
    expect(mayGrantPermission(['*:*'], 'anything:new')).toBe(true);
    expect(mayGrantPermission(['tokens:read'], 'Tokens:Read')).toBe(false);
  });
});
