import fc from 'fast-check';
import {
  BUILTIN_RESOURCES,
  BUILTIN_ROLES,
  READ_ACTIONS,
  compilePermissions,
  effectivePermissions,
  isValidPermission,
  permissionGrants,
  permissionsCover,
} from './permissions';

const RESOURCES = ['*', 'tokens', 'roles', 'clients', 'audit', 'a-1'];
const ACTIONS = ['*', 'read', 'write', 'introspect', 'delete'];
const arbPermission = fc
  .tuple(fc.constantFrom(...RESOURCES), fc.constantFrom(...ACTIONS))
  .map(([r, a]) => `${r}:${a}`);
const arbList = fc.array(arbPermission, { maxLength: 6 });

// Independent model: a permission is the set of concrete (resource, action)
// pairs it allows, over a universe that also holds names nobody has used yet
// ('fresh'), because '*' means every permission now and later.
const UNIVERSE_RES = [...RESOURCES.filter((r) => r !== '*'), 'fresh-resource'];
const UNIVERSE_ACT = [
  ...new Set([...ACTIONS.filter((a) => a !== '*'), ...READ_ACTIONS, 'fresh-action']),
];

function allows(p: string, res: string, act: string): boolean {
  const [pr, pa] = p.split(':') as [string, string];
  const resOk = pr === '*' || pr === res;
  const actOk = pa === '*' || pa === act || (pa === 'read' && READ_ACTIONS.includes(act));
  return resOk && actOk;
}

function modelCovers(granted: string[], requested: string[]): boolean {
  for (const res of UNIVERSE_RES) {
    for (const act of UNIVERSE_ACT) {
      const wanted = requested.some((r) => allows(r, res, act));
      if (wanted && !granted.some((g) => allows(g, res, act))) return false;
    }
  }
  return true;
}

describe('isValidPermission', () => {
  it.each(['tokens:read', '*:*', '*:read', 'clients:*', 'my-app:do-thing2', 'a:b'])(
    'accepts %s',
    (p) => {
      expect(isValidPermission(p)).toBe(true);
    },
  );

  it.each([
    '',
    'tokens',
    'tokens:',
    ':read',
    'Tokens:read',
    'tokens:Read',
    'tokens:read:extra',
    '1tokens:read',
    '-x:read',
    'tok*:read',
    '**:read',
    'tokens :read',
    ' tokens:read',
    'tokens:re ad',
    'tokens_x:read',
    `${'a'.repeat(100)}:read`,
  ])('rejects %j', (p) => {
    expect(isValidPermission(p)).toBe(false);
  });

  it('rejects non-strings', () => {
    expect(isValidPermission(null as unknown as string)).toBe(false);
  });
});

describe('permissionGrants (examples)', () => {
  it('lets *:* grant every permission, wildcards included', () => {
    for (const p of ['tokens:read', 'clients:*', '*:read', '*:*', 'new-thing:new-action']) {
      expect(permissionGrants('*:*', p)).toBe(true);
    }
  });

  it('lets *:read grant every read and nothing else', () => {
    expect(permissionGrants('*:read', 'tokens:read')).toBe(true);
    expect(permissionGrants('*:read', 'anything:read')).toBe(true);
    expect(permissionGrants('*:read', 'tokens:write')).toBe(false);
    expect(permissionGrants('*:read', 'tokens:introspect')).toBe(false);
    expect(permissionGrants('*:read', 'tokens:*')).toBe(false);
  });

  it('lets clients:* grant every clients action but not *:read', () => {
    expect(permissionGrants('clients:*', 'clients:read')).toBe(true);
    expect(permissionGrants('clients:*', 'clients:purge')).toBe(true);
    expect(permissionGrants('clients:*', 'tokens:read')).toBe(false);
    expect(permissionGrants('clients:*', '*:read')).toBe(false);
  });

  it('needs an exact match otherwise', () => {
    expect(permissionGrants(['tokens:read', 'roles:write'], 'roles:write')).toBe(true);
    expect(permissionGrants(['tokens:read'], 'tokens:write')).toBe(false);
    expect(permissionGrants([], 'tokens:read')).toBe(false);
  });

  it('never grants or is granted by an invalid string', () => {
    expect(permissionGrants(['*:*'], 'garbage')).toBe(false);
    expect(permissionGrants(['*:*'], '')).toBe(false);
    expect(permissionGrants(['tokens'], 'tokens:read')).toBe(false);
    expect(compilePermissions(['*:*']).grants('Tokens:read')).toBe(false);
    expect(compilePermissions(['nonsense', 'tokens:read']).list).toEqual(['tokens:read']);
  });
});

describe('permissionsCover (examples)', () => {
  it('covers clients:* with *:*, and not *:read with clients:*', () => {
    expect(permissionsCover(['*:*'], ['clients:*'])).toBe(true);
    expect(permissionsCover(['clients:*'], ['*:read'])).toBe(false);
  });

  it('does not cover a wildcard with the list of its current actions', () => {
    expect(
      permissionsCover(['tokens:read', 'tokens:write', 'tokens:introspect'], ['tokens:*']),
    ).toBe(false);
  });

  it('covers an empty request with anything', () => {
    expect(permissionsCover([], [])).toBe(true);
  });
});

describe('permission covering (properties)', () => {
  it('agrees with the set model (every pair the request allows, the grants allow)', () => {
    fc.assert(
      fc.property(arbList, arbList, (granted, requested) => {
        expect(permissionsCover(granted, requested)).toBe(modelCovers(granted, requested));
      }),
      { numRuns: 2000 },
    );
  });

  it('is transitive', () => {
    fc.assert(
      fc.property(arbList, arbList, arbList, (a, b, c) => {
        if (permissionsCover(a, b) && permissionsCover(b, c))
          expect(permissionsCover(a, c)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('is reflexive', () => {
    fc.assert(fc.property(arbList, (a) => expect(permissionsCover(a, a)).toBe(true)));
  });

  it('implies that every requested permission is granted', () => {
    fc.assert(
      fc.property(arbList, arbList, (granted, requested) => {
        if (permissionsCover(granted, requested)) {
          for (const r of requested) expect(permissionGrants(granted, r)).toBe(true);
        }
      }),
    );
  });

  it('lets *:* cover every list', () => {
    fc.assert(
      fc.property(arbList, (requested) => expect(permissionsCover(['*:*'], requested)).toBe(true)),
    );
  });

  it('gives the compiled set the same answers as the plain functions', () => {
    fc.assert(
      fc.property(arbList, arbList, (granted, requested) => {
        const set = compilePermissions(granted);
        for (const r of requested) expect(set.grants(r)).toBe(permissionGrants(granted, r));
        // twice: the second answer comes from the memo
        for (const r of requested) expect(set.grants(r)).toBe(permissionGrants(granted, r));
        expect(set.covers(requested)).toBe(permissionsCover(granted, requested));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('effectivePermissions (role ∪ scopes)', () => {
  it('grants exactly what the role or the scopes grant (property)', () => {
    fc.assert(
      fc.property(arbList, arbList, arbPermission, (role, scopes, required) => {
        const effective = effectivePermissions(role, scopes);
        expect(permissionGrants(effective, required)).toBe(
          permissionGrants(role, required) || permissionGrants(scopes, required),
        );
      }),
    );
  });

  it("lists each permission once, the role's first (property)", () => {
    fc.assert(
      fc.property(arbList, arbList, (role, scopes) => {
        const effective = effectivePermissions(role, scopes);
        expect(new Set(effective).size).toBe(effective.length);
        expect(new Set(effective)).toEqual(new Set([...role, ...scopes]));
        expect(effective.slice(0, new Set(role).size)).toEqual([...new Set(role)]);
      }),
    );
  });

  it('treats a token without a role as its scopes alone', () => {
    expect(effectivePermissions(null, ['tokens:read', 'tokens:read'])).toEqual(['tokens:read']);
    expect(effectivePermissions(undefined, [])).toEqual([]);
  });
});

describe('catalog', () => {
  it('lists the api resources with valid permissions', () => {
    expect(BUILTIN_RESOURCES.map((r) => r.resource)).toEqual([
      'tokens',
      'roles',
      'security',
      'audit',
      'users',
      'sessions',
      'organizations',
      'metrics',
      'changes',
    ]);
    for (const r of BUILTIN_RESOURCES) {
      for (const a of r.actions) expect(isValidPermission(`${r.resource}:${a}`)).toBe(true);
    }
    expect(BUILTIN_RESOURCES.find((r) => r.resource === 'tokens')?.actions).toEqual([
      'read',
      'write',
      'introspect',
    ]);
  });

  it('lets the permission presets read the change stream (a read like any other)', () => {
    for (const role of BUILTIN_ROLES.filter((r) => r.name !== 'CLI developer')) expect(permissionGrants(role.permissions, 'changes:read')).toBe(true);
  });

  it('has the three built-in roles', () => {
    expect(BUILTIN_ROLES.map((r) => [r.name, r.permissions])).toEqual([
      ['All permissions', ['*:*']],
      ['Read only', ['*:read']],
      ['CLI developer', ['@cli']],
    ]);
  });

  it('lets Read only read every catalog resource and write none', () => {
    const readOnly = compilePermissions(['*:read']);
    for (const r of BUILTIN_RESOURCES) {
      for (const a of r.actions)
        expect(readOnly.grants(`${r.resource}:${a}`)).toBe(READ_ACTIONS.includes(a));
    }
  });
});
