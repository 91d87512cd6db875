import { NAV_ITEMS, landingPath, readableNav } from './nav';

describe('sidebar', () => {
  it('shows every page to an admin and to a Read only user', () => {
    expect(readableNav(['*:*'])).toEqual(NAV_ITEMS);
    expect(readableNav(['*:read']).map((i) => i.label)).toEqual(['API tokens', 'Roles', 'Users', 'IP allowlist', 'Audit log', 'Sessions']);
  });

  it('leaves out the pages a caller may not read', () => {
    expect(readableNav(['tokens:read', 'tokens:write']).map((i) => i.label)).toEqual(['API tokens', 'Sessions']);
    expect(readableNav(['audit:read']).map((i) => i.label)).toEqual(['Audit log', 'Sessions']);
    expect(readableNav(['tokens:write']).map((i) => i.label)).toEqual(['Sessions']);
  });

  it('lands on the first page the caller may read, Sessions at the latest', () => {
    expect(landingPath(['*:read'])).toBe('/tokens');
    expect(landingPath(['audit:read'])).toBe('/audit');
    expect(landingPath([])).toBe('/sessions');
  });
});
