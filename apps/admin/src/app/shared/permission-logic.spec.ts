import { effectivePermissions } from '@tessera/domain';
import { mayGrantPermission } from '@tessera/domain';
import { resourceState, sortPermissions, toggleResource, togglePermission, visibleResources } from './permission-logic';

const tokens = { resource: 'tokens', description: 'API tokens', actions: ['read', 'write', 'introspect'] };

describe('permission logic', () => {
  it('shows a resource box empty, indeterminate or checked from its actions', () => {
    expect(resourceState(tokens, [])).toBe('none');
    expect(resourceState(tokens, ['tokens:read'])).toBe('some');
    expect(resourceState(tokens, ['tokens:read', 'tokens:write', 'tokens:introspect'])).toBe('all');
    expect(resourceState(tokens, ['tokens:*'])).toBe('all');
  });

  it('selects every action of a resource when its box is ticked, and clears them when unticked', () => {
    const all = toggleResource(tokens, ['roles:read', 'tokens:read']);
    expect(all).toEqual(['roles:read', 'tokens:introspect', 'tokens:read', 'tokens:write']);
    expect(toggleResource(tokens, all)).toEqual(['roles:read']);
  });

  it('ticks from a resource box only the actions the caller may grant, and clears only those', () => {
    const may = (p: string) => mayGrantPermission(['tokens:read', 'tokens:write'], p);
    const ticked = toggleResource(tokens, ['audit:read'], may);
    expect(ticked).toEqual(['audit:read', 'tokens:read', 'tokens:write']);
    expect(toggleResource(tokens, ticked, may)).toEqual(['audit:read']);
  });

  it('shows the resources the caller may grant something of, and those already selected', () => {
    const roles = { resource: 'roles', description: '', actions: ['read', 'write'] };
    const audit = { resource: 'audit', description: '', actions: ['read'] };
    const may = (p: string) => mayGrantPermission(['tokens:read', 'tokens:write'], p);
    expect(visibleResources([tokens, roles, audit], [], may).map((r) => r.resource)).toEqual(['tokens']);
    expect(visibleResources([tokens, roles, audit], ['audit:read'], may).map((r) => r.resource)).toEqual(['tokens', 'audit']);
    expect(visibleResources([tokens, roles, audit], []).map((r) => r.resource)).toEqual(['tokens', 'roles', 'audit']);
  });

  it('keeps the other actions when one action of a wildcard grant is unticked', () => {
    expect(togglePermission(tokens, 'write', ['tokens:*'], false)).toEqual(['tokens:introspect', 'tokens:read']);
    expect(togglePermission(tokens, 'write', ['tokens:read'], true)).toEqual(['tokens:read', 'tokens:write']);
  });

  it('shows the union of role permissions and scopes as the effective permissions, wildcards first', () => {
    expect(sortPermissions(effectivePermissions(['tokens:read', '*:read'], ['tokens:read', 'audit:read']))).toEqual(['*:read', 'audit:read', 'tokens:read']);
  });
});
