import type { CatalogResource } from '@tessera/domain';

/**
 * Pure helpers behind the permission checkboxes and the "effective permissions" list. What a token
 * holds (role ∪ scopes) and what a permission grants are @tessera/domain's rules, not decided here.
 */

/** A catalog resource with its actions and their tags (`@tessera/domain`). */
export type { CatalogResource };

export type ResourceState = 'all' | 'some' | 'none';

/** Every `resource:action` pair of a resource. */
export function resourcePermissions(resource: CatalogResource): string[] {
  return resource.actions.map((action) => `${resource.resource}:${action}`);
}

/** Whether a resource's box shows checked ('all'), indeterminate ('some') or empty ('none'). */
export function resourceState(resource: CatalogResource, selected: readonly string[]): ResourceState {
  const set = new Set(selected);
  if (set.has(`${resource.resource}:*`)) return 'all';
  const perms = resourcePermissions(resource);
  const count = perms.filter((p) => set.has(p)).length;
  if (count === 0) return 'none';
  return count === perms.length ? 'all' : 'some';
}

/** Which permissions a picker lets the caller tick: `mayGrantPermission` of @tessera/domain (through Caller). */
export type MayGrant = (permission: string) => boolean;
export const GRANT_ANYTHING: MayGrant = () => true;

/**
 * Ticking a resource box selects all of its actions the caller may grant (each one by name, so a
 * future action is not granted silently); unticking it (or ticking it when they are all ticked)
 * clears them.
 */
export function toggleResource(resource: CatalogResource, selected: readonly string[], may: MayGrant = GRANT_ANYTHING): string[] {
  const perms = resourcePermissions(resource).filter(may);
  const wildcard = `${resource.resource}:*`;
  const full = selected.includes(wildcard) || perms.every((p) => selected.includes(p));
  if (full) return selected.filter((p) => p !== wildcard && !perms.includes(p));
  return sortPermissions([...selected, ...perms]);
}

/**
 * The resources a picker shows: those with an action the caller may grant, and those already
 * holding a selected permission (shown, not editable, so nothing is hidden from the form).
 */
export function visibleResources(catalog: readonly CatalogResource[], selected: readonly string[], may: MayGrant = GRANT_ANYTHING): CatalogResource[] {
  return catalog.filter(
    (r) => r.actions.some((a) => may(`${r.resource}:${a}`)) || selected.some((p) => p.startsWith(`${r.resource}:`)),
  );
}

/** Ticks or unticks one action of a resource; unticking one action of `resource:*` keeps the others. */
export function togglePermission(
  resource: CatalogResource,
  action: string,
  selected: readonly string[],
  checked: boolean,
): string[] {
  const permission = `${resource.resource}:${action}`;
  const wildcard = `${resource.resource}:*`;
  if (checked) return sortPermissions([...selected, permission]);
  if (selected.includes(wildcard)) {
    const others = resourcePermissions(resource).filter((p) => p !== permission);
    return sortPermissions([...selected.filter((p) => p !== wildcard), ...others]);
  }
  return selected.filter((p) => p !== permission);
}

/** Sorted with wildcards first (`*:*`, `*:read`, then by resource and action). */
export function sortPermissions(list: readonly string[]): string[] {
  return [...new Set(list)].sort((a, b) => {
    const wa = a.startsWith('*') ? 0 : 1;
    const wb = b.startsWith('*') ? 0 : 1;
    return wa - wb || a.localeCompare(b);
  });
}
