import fc from 'fast-check';
import { refusalsOf, userRights } from './authorization';
import {
  callerHolds,
  grantablePermissions,
  refusalsToChange,
  rightsFromJson,
  roleBeyondCaller,
} from './authorization-caller';
import { BUILTIN_RESOURCES } from './permissions';

const T = new Date('2030-01-01T00:00:00Z');
const CATALOG = [...BUILTIN_RESOURCES, { resource: 'billing', actions: ['read', 'write', 'export'] }];
const ALL = CATALOG.flatMap((r) => r.actions.map((a) => `${r.resource}:${a}`));
const GRANTS = ['*:*', '*:read', 'tokens:*', 'tokens:read', 'tokens:write', 'roles:read', 'users:write', 'billing:*', '*:write', 'audit:read', 'nonsense', ''];

describe('grantablePermissions', () => {
  it('offers everything to *:*, every read to *:read, and only what a tokens:read+write caller holds', () => {
    expect(grantablePermissions(['*:*'], CATALOG)).toEqual(ALL);
    expect(grantablePermissions(['*:read'], CATALOG)).toEqual(ALL.filter((p) => p.endsWith(':read')));
    expect(grantablePermissions(['tokens:read', 'tokens:write'], CATALOG)).toEqual(['tokens:read', 'tokens:write']);
    expect(grantablePermissions(['tokens:*'], CATALOG)).toEqual(['tokens:read', 'tokens:write', 'tokens:introspect']);
    expect(grantablePermissions([], CATALOG)).toEqual([]);
  });

  it('never offers a permission that creating a token with it would refuse, and offers every one it would not (property)', () => {
    fc.assert(
      fc.property(fc.subarray(GRANTS), fc.subarray(ALL, { minLength: 1 }), (held, requested) => {
        const offered = new Set(grantablePermissions(held, CATALOG));
        const caller = userRights(held);
        const refused = refusalsOf(caller, { kind: 'create', result: { permissions: requested } }, T).length > 0;
        // the api refuses exactly when something requested is not on offer
        expect(refused).toBe(requested.some((p) => !offered.has(p)));
      }),
    );
  });

  it('is a subset of the catalog, in catalog order, and grows with what the caller holds (property)', () => {
    fc.assert(
      fc.property(fc.subarray(GRANTS), fc.subarray(GRANTS), (a, b) => {
        const small = grantablePermissions(a, CATALOG);
        const big = grantablePermissions([...a, ...b], CATALOG);
        expect(ALL.filter((p) => small.includes(p))).toEqual(small);
        for (const p of small) expect(big).toContain(p);
      }),
    );
  });

  it('offers nothing for invalid grants or catalog entries an attacker might slip in', () => {
    expect(grantablePermissions(['tokens:read '], CATALOG)).toEqual([]);
    expect(grantablePermissions(['*:*'], [{ resource: 'Tokens', actions: ['read'] }, { resource: 'x', actions: ['*'] }])).toEqual(['x:*']);
    expect(grantablePermissions(['*:read'], [{ resource: 'x', actions: ['*'] }])).toEqual([]);
  });
});

describe('roleBeyondCaller', () => {
  it('names what a role holds beyond the caller, so a role select can disable it with the reason', () => {
    expect(roleBeyondCaller(['tokens:read', 'tokens:write'], ['*:read'])).toEqual(['*:read']);
    expect(roleBeyondCaller(['tokens:read', 'tokens:write'], ['tokens:read'])).toEqual([]);
    expect(roleBeyondCaller(['*:*'], ['*:*'])).toEqual([]);
    expect(roleBeyondCaller(['*:read'], ['*:*', 'roles:read'])).toEqual(['*:*']);
  });

  it('agrees with refusalsOf for a user created with the role (property)', () => {
    fc.assert(
      fc.property(fc.subarray(GRANTS), fc.subarray(GRANTS), (held, role) => {
        const refusals = refusalsOf(userRights(held), { kind: 'create', result: userRights(role) }, T);
        expect(refusals.length === 0).toBe(roleBeyondCaller(held, role).length === 0);
      }),
    );
  });
});

describe('callerHolds', () => {
  it('is the route check: *:read holds tokens:read but not tokens:write', () => {
    expect(callerHolds(['*:read'], 'tokens:read')).toBe(true);
    expect(callerHolds(['*:read'], 'tokens:write')).toBe(false);
    expect(callerHolds(['tokens:*'], 'tokens:write')).toBe(true);
    expect(callerHolds(['*:*'], 'security:write')).toBe(true);
    expect(callerHolds([], 'sessions:read')).toBe(false);
  });
});

describe('rightsFromJson', () => {
  it('reads a TokenDto\'s rights, dates included, and a user\'s permissions as rights without limits', () => {
    const json = {
      permissions: ['tokens:read'],
      allowedIps: ['10.0.0.0/8'],
      blockedIps: [],
      allowedEndpoints: ['GET /api/v1/**'],
      blockedEndpoints: [],
      allowedOrigins: ['https://a.example'],
      validFrom: '2029-01-01T00:00:00.000Z',
      validTo: null,
    };
    expect(rightsFromJson(json)).toEqual({ ...json, validFrom: new Date('2029-01-01T00:00:00Z') });
    expect(rightsFromJson({ permissions: ['*:*'] })).toEqual({ ...userRights(['*:*']), allowedIps: [], blockedIps: [], allowedEndpoints: [], blockedEndpoints: [], allowedOrigins: [], validFrom: null, validTo: null });
  });

  it('keeps a limited token limited: a caller cannot change it into a limitless one, and vice versa', () => {
    const limited = rightsFromJson({ permissions: ['*:*'], allowedIps: ['10.0.0.0/8'], validTo: '2031-01-01T00:00:00.000Z' });
    expect(refusalsToChange(limited, userRights(['tokens:read']), false, T).map((r) => r.field)).toEqual(['validTo', 'allowedIps']);
    expect(refusalsToChange(userRights(['*:*']), limited, false, T)).toEqual([]);
  });
});

describe('refusalsToChange', () => {
  it('refuses a change to a wider principal, never to oneself', () => {
    const narrow = userRights(['tokens:read', 'tokens:write']);
    expect(refusalsToChange(narrow, userRights(['*:*']), false, T)).toEqual([
      { side: 'current', field: 'permissions', message: "*:* beyond the caller's permissions" },
    ]);
    expect(refusalsToChange(narrow, userRights(['*:*']), true, T)).toEqual([]);
    expect(refusalsToChange(narrow, userRights(['tokens:read']), false, T)).toEqual([]);
  });
});
