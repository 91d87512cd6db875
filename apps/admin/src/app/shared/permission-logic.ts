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

/**
 * Ticking a resource box selects all of its actions (each one by name, so a future action is not
 * granted silently); unticking it (or ticking it when already full) clears them.
 */
export function toggleResource(resource: CatalogResource, selected: readonly string[]): string[] {
  const perms = resourcePermissions(resource);
  const wildcard = `${resource.resource}:*`;
  const rest = selected.filter((p) => p !== wildcard && !perms.includes(p));
  return resourceState(resource, selected) === 'all' ? rest : sortPermissions([...rest, ...perms]);
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
