import fc from 'fast-check';
import { permissionsBeyond } from './authorization';
import {
  BUILTIN_RESOURCES,
  BUILTIN_ROLES,
  CLI_TAG,
  type CatalogResource,
  compilePermissions,
  effectivePermissions,
  isTagGrant,
  isValidPermission,
  tagGrant,
  taggedPermissions,
} from './permissions';

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const tag = fc.constantFrom(CLI_TAG, 'deploy', 'ops');
const resource: fc.Arbitrary<CatalogResource> = fc
  .record({ resource: name, actions: fc.uniqueArray(name, { minLength: 1, maxLength: 5 }), tagged: fc.array(fc.tuple(fc.nat(4), tag), { maxLength: 6 }) })
  .map(({ resource, actions, tagged }) => {
    const tags: Record<string, string[]> = {};
    for (const [i, t] of tagged) {
      const action = actions[i % actions.length] as string;
      tags[action] = [...new Set([...(tags[action] ?? []), t])];
    }
    return { resource, description: '', actions, tags };
  });
const catalog = fc.uniqueArray(resource, { selector: (r) => r.resource, maxLength: 6 });
const permission = fc.oneof(fc.tuple(fc.oneof(name, fc.constant('*')), fc.oneof(name, fc.constant('*'))).map(([r, a]) => `${r}:${a}`));

const cliDeveloper = BUILTIN_ROLES.find((r) => r.name === 'CLI developer');

describe('tags and the "CLI developer" role', () => {
  it('the built-in catalog tags what a command-line user needs, and the role holds only the cli tag grant', () => {
    expect(taggedPermissions(BUILTIN_RESOURCES, CLI_TAG)).toEqual(['tokens:read', 'tokens:write', 'roles:read', 'audit:read']);
    expect(cliDeveloper?.permissions).toEqual(['@cli']);
    expect(effectivePermissions(cliDeveloper?.permissions, [], BUILTIN_RESOURCES)).toEqual(['tokens:read', 'tokens:write', 'roles:read', 'audit:read']);
    expect(isTagGrant('@cli')).toBe(true);
    expect(isTagGrant('cli')).toBe(false);
    expect(isValidPermission('@cli')).toBe(false);
  });

  it('a tag grant becomes exactly the tagged actions of the catalog, the rest passes through (property)', () => {
    fc.assert(
      fc.property(catalog, tag, fc.array(permission, { maxLength: 5 }), fc.array(permission, { maxLength: 5 }), (cat, t, role, scopes) => {
        const got = effectivePermissions([...role, tagGrant(t)], scopes, cat);
        expect(new Set(got)).toEqual(new Set([...role, ...taggedPermissions(cat, t), ...scopes]));
        expect(got.some(isTagGrant)).toBe(false);
        expect(got).toEqual([...new Set(got)]);
      }),
    );
  });

  it('an action tagged later is granted without editing the role (property)', () => {
    fc.assert(
      fc.property(catalog, name, name, (cat, res, action) => {
        fc.pre(!cat.some((r) => r.resource === res));
        const role = [tagGrant(CLI_TAG)];
        const before = compilePermissions(effectivePermissions(role, [], cat));
        expect(before.grants(`${res}:${action}`)).toBe(false);
        const later = [...cat, { resource: res, description: '', actions: [action], tags: { [action]: [CLI_TAG] } }];
        expect(compilePermissions(effectivePermissions(role, [], later)).grants(`${res}:${action}`)).toBe(true);
        // …and an untagged action added later is not.
        const untagged = [...cat, { resource: res, description: '', actions: [action] }];
        expect(compilePermissions(effectivePermissions(role, [], untagged)).grants(`${res}:${action}`)).toBe(false);
      }),
    );
  });

  it('without a catalog a tag grant grants nothing and nobody covers it: it fails closed (property)', () => {
    fc.assert(
      fc.property(tag, fc.array(permission, { maxLength: 4 }), (t, callerExtra) => {
        const unexpanded = effectivePermissions([tagGrant(t)], []);
        expect(unexpanded).toEqual([tagGrant(t)]);
        const set = compilePermissions(unexpanded);
        for (const p of taggedPermissions(BUILTIN_RESOURCES, CLI_TAG)) expect(set.grants(p)).toBe(false);
        // Even a caller holding everything does not cover an unexpanded grant: a missed catalog refuses, never widens.
        expect(permissionsBeyond(['*:*', ...callerExtra], unexpanded)).toEqual([tagGrant(t)]);
      }),
    );
  });

  it('a caller covers the CLI developer role exactly when it holds every tagged action (property)', () => {
    fc.assert(
      fc.property(catalog, fc.array(permission, { maxLength: 6 }), (cat, caller) => {
        const target = effectivePermissions([tagGrant(CLI_TAG)], [], cat);
        const tagged = taggedPermissions(cat, CLI_TAG);
        const set = compilePermissions(caller);
        expect(permissionsBeyond(caller, target).length === 0).toBe(tagged.every((p) => set.grants(p)));
      }),
    );
  });
});
