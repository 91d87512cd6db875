import type { PrincipalRights } from './authorization';
import { type RoleHolder, roleRefusals } from './authorization-roles';

const T = new Date('2030-01-01T00:00:00Z');

describe('roleRefusals', () => {
  const roleAdmin: PrincipalRights = { permissions: ['roles:write', 'tokens:read'] };
  const user = (label: string, self = false): RoleHolder => ({ label, own: { permissions: [] }, self });

  it('refuses a role beyond the caller, as it is or as the change leaves it', () => {
    expect(roleRefusals(roleAdmin, { kind: 'create', result: ['*:*'] }, T)).toEqual([
      { side: 'result', field: 'permissions', message: "*:* beyond the caller's permissions" },
    ]);
    expect(roleRefusals(roleAdmin, { kind: 'delete', current: ['audit:read'] }, T).map((r) => r.side)).toEqual(['current']);
    expect(roleRefusals(roleAdmin, { kind: 'update', current: ['*:*'], result: ['tokens:read'], holders: [] }, T).map((r) => r.side)).toEqual([
      'current',
    ]);
    expect(roleRefusals(roleAdmin, { kind: 'update', current: ['tokens:read'], result: ['roles:write'], holders: [user('user a')] }, T)).toEqual([]);
  });

  it('judges a role by its permissions only: a limited caller may create one (it reaches no one yet)', () => {
    const limited: PrincipalRights = { ...roleAdmin, allowedIps: ['10.0.0.0/8'] };
    expect(roleRefusals(limited, { kind: 'create', result: ['tokens:read'] }, T)).toEqual([]);
  });

  it('treats a change of permissions as an update of every holder, naming them', () => {
    const wideToken: RoleHolder = { label: 'token "ci"', own: { permissions: ['audit:write'] } };
    expect(roleRefusals(roleAdmin, { kind: 'update', current: ['tokens:read'], result: [], holders: [wideToken] }, T)).toEqual([
      { side: 'current', field: 'permissions', message: 'audit:write beyond the caller\'s permissions (for token "ci", which holds the role)' },
    ]);
    const limited: PrincipalRights = { ...roleAdmin, allowedIps: ['10.0.0.0/8'] };
    const refusals = roleRefusals(limited, { kind: 'update', current: ['tokens:read'], result: ['roles:write'], holders: [user('user a@b.c')] }, T);
    expect(refusals.map((r) => r.field)).toEqual(['allowedIps']);
    expect(refusals[0]?.message).toContain('user a@b.c');
  });

  it('lets a holder narrow its own role but never widen it', () => {
    const self: PrincipalRights = { permissions: ['roles:write', 'tokens:read'] };
    const me = user('me', true);
    expect(roleRefusals(self, { kind: 'update', current: ['roles:write', 'tokens:read'], result: ['roles:write'], holders: [me] }, T)).toEqual([]);
    expect(roleRefusals(self, { kind: 'update', current: ['roles:write'], result: ['roles:write', 'users:write'], holders: [me] }, T).length).toBeGreaterThan(0);
  });

  it('names at most three holders and counts the rest', () => {
    const holders = [1, 2, 3, 4, 5].map((i) => ({ label: `token "t${i}"`, own: { permissions: ['audit:write'] } }));
    const refusals = roleRefusals(roleAdmin, { kind: 'update', current: ['tokens:read'], result: [], holders }, T);
    expect(refusals).toHaveLength(3);
    expect(refusals[2]?.message).toContain('(and 2 more holders of the role)');
  });
});
