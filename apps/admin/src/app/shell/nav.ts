import { callerHolds } from '@tessera/domain';

/** The sidebar, in order; `requires` is the permission the page's list route needs (none: every signed-in user). */
export const NAV_ITEMS: readonly NavItem[] = [
  { path: '/tokens', label: 'API tokens', icon: 'key', requires: 'tokens:read' },
  { path: '/roles', label: 'Roles', icon: 'roles', requires: 'roles:read' },
  { path: '/users', label: 'Users', icon: 'users', requires: 'users:read' },
  { path: '/ip-allowlist', label: 'IP allowlist', icon: 'shield', requires: 'security:read' },
  { path: '/audit', label: 'Audit log', icon: 'history', requires: 'audit:read' },
  { path: '/sessions', label: 'Sessions', icon: 'sessions' },
];

export interface NavItem {
  path: string;
  label: string;
  icon: string;
  requires?: string;
}

/** The pages a caller holding `permissions` may read: the sidebar shows only these. */
export function readableNav(permissions: readonly string[]): NavItem[] {
  return NAV_ITEMS.filter((item) => !item.requires || callerHolds(permissions, item.requires));
}

/** Where a caller lands after signing in: the first page it may read (Sessions at the latest). */
export function landingPath(permissions: readonly string[]): string {
  return readableNav(permissions)[0]?.path ?? '/sessions';
}
