/** Actions that count as reads for a grant of `read` (e.g. `*:read`). */
export const READ_ACTIONS: readonly string[] = ['read'];

/** The tag of actions a command-line user needs (seed 002's "CLI developer" preset grants them all). */
export const CLI_TAG = 'cli';

/**
 * One resource of the permission catalog: its actions and, per action, its tags (e.g.
 * `{ read: ['cli'] }`). A deployment adds resources through PERMISSIONS_FILE.
 */
export interface CatalogResource {
  resource: string;
  description: string;
  actions: string[];
  /** action → tags; actions without tags may be left out. */
  tags?: Record<string, string[]>;
}

/** The api's own resources and their actions (the permission catalog). */
export const BUILTIN_RESOURCES: CatalogResource[] = [
  { resource: 'tokens', description: 'API tokens', actions: ['read', 'write', 'introspect'], tags: { read: [CLI_TAG], write: [CLI_TAG] } },
  { resource: 'roles', description: 'Roles and their permissions', actions: ['read', 'write'], tags: { read: [CLI_TAG] } },
  { resource: 'security', description: 'Organization IP allowlist', actions: ['read', 'write'] },
  { resource: 'audit', description: 'Audit log', actions: ['read'], tags: { read: [CLI_TAG] } },
  { resource: 'users', description: 'Users of the organization', actions: ['read', 'write'] },
  { resource: 'sessions', description: 'Login sessions', actions: ['read', 'write'] },
  { resource: 'organizations', description: 'Organizations', actions: ['read', 'write'] },
  { resource: 'metrics', description: 'Prometheus metrics (GET /metrics)', actions: ['read'] },
  {
    resource: 'changes',
    description: 'Change stream of tokens, roles and the IP allowlist (GET /changes), for services that cache answers',
    actions: ['read'],
  },
];

/** A grant of every catalog action carrying a tag: `@cli`. Only built-in roles hold one. */
const TAG_GRANT = /^@([a-z][a-z0-9-]*)$/;

export function isTagGrant(p: string): boolean {
  return typeof p === 'string' && TAG_GRANT.test(p);
}

/** The tag grant of a tag: `tagGrant('cli')` → `@cli`. */
export function tagGrant(tag: string): string {
  return `@${tag}`;
}

/** Built-in, read-only roles that every organization has. */
export const BUILTIN_ROLES: { name: string; description: string; permissions: string[] }[] = [
  { name: 'All permissions', description: 'Every permission, now and later', permissions: ['*:*'] },
  { name: 'Read only', description: 'Every read permission', permissions: ['*:read'] },
  {
    name: 'CLI developer',
    description: 'Every action tagged for command-line use (cli), now and later',
    permissions: [tagGrant(CLI_TAG)],
  },
];

/** Every `resource:action` of the catalog whose action carries `tag`, in catalog order. */
export function taggedPermissions(catalog: readonly CatalogResource[], tag: string): string[] {
  const out: string[] = [];
  for (const r of catalog) {
    for (const action of r.actions) {
      if (r.tags?.[action]?.includes(tag)) out.push(`${r.resource}:${action}`);
    }
  }
  return out;
}

/** Longest accepted permission string. */
export const PERMISSION_MAX_LENGTH = 100;

const PART = '(?:\\*|[a-z][a-z0-9-]*)';
const PERMISSION_PATTERN = new RegExp(`^${PART}:${PART}$`);

/** `resource:action`, each `[a-z][a-z0-9-]*` or `*`. */
export function isValidPermission(p: string): boolean {
  return typeof p === 'string' && p.length <= PERMISSION_MAX_LENGTH && PERMISSION_PATTERN.test(p);
}

function actionCovers(granted: string, required: string): boolean {
  if (granted === '*' || granted === required) return true;
  return granted === 'read' && required !== '*' && READ_ACTIONS.includes(required);
}

/** Does the single, valid grant `g` cover the single, valid permission `r`? */
function covers(g: string, r: string): boolean {
  if (g === r) return true;
  const gi = g.indexOf(':');
  const ri = r.indexOf(':');
  const gRes = g.slice(0, gi);
  if (gRes !== '*' && gRes !== r.slice(0, ri)) return false;
  return actionCovers(g.slice(gi + 1), r.slice(ri + 1));
}

/**
 * True when some granted permission covers `required`. `required` may itself
 * contain wildcards (`tokens:*` is granted only by `tokens:*` or `*:*`).
 * Invalid strings never grant and are never granted.
 */
export function permissionGrants(granted: string | readonly string[], required: string): boolean {
  if (!isValidPermission(required)) return false;
  if (typeof granted === 'string') return isValidPermission(granted) && covers(granted, required);
  for (const g of granted) {
    if (isValidPermission(g) && covers(g, required)) return true;
  }
  return false;
}

/**
 * A token's effective permissions: its role's permissions ∪ its own scopes, de-duplicated, the
 * role's first (a session or user: the role's permissions, scopes empty). The one definition the
 * guard, the token list, introspection, explain and the console use.
 *
 * A tag grant (`@cli`, held by the built-in "CLI developer" role) becomes, here and at every check,
 * every action of `catalog` carrying that tag, so an action tagged later (also one a deployment
 * adds through PERMISSIONS_FILE) is granted without editing the role. Without a catalog a tag grant
 * stays as it is: not a permission, it grants nothing and no caller covers it (fails closed).
 */
export function effectivePermissions(
  rolePermissions: readonly string[] | null | undefined,
  scopes: readonly string[],
  catalog?: readonly CatalogResource[],
): string[] {
  const out: string[] = [];
  for (const p of [...(rolePermissions ?? []), ...scopes]) {
    const tag = catalog ? TAG_GRANT.exec(p)?.[1] : undefined;
    if (tag !== undefined) out.push(...taggedPermissions(catalog ?? [], tag));
    else out.push(p);
  }
  return [...new Set(out)];
}

/** Every requested permission, wildcards included, is granted by `granted`. */
export function permissionsCover(
  granted: readonly string[],
  requested: readonly string[],
): boolean {
  for (const r of requested) {
    if (!permissionGrants(granted, r)) return false;
  }
  return true;
}

export interface PermissionSet {
  grants(required: string): boolean;
  covers(requested: readonly string[]): boolean;
  readonly list: readonly string[];
}

class CompiledPermissionSet implements PermissionSet {
  readonly list: readonly string[];
  private readonly all: boolean;
  private readonly exact = new Set<string>();
  /** resources granted with every action (`tokens:*`) */
  private readonly anyAction = new Set<string>();
  /** actions granted on every resource (`*:read`) */
  private readonly anyResource = new Set<string>();
  /** resources whose `read` is granted (so every READ_ACTION is) */
  private readonly reads = new Set<string>();
  private readonly memo = new Map<string, boolean>();

  constructor(granted: readonly string[]) {
    const valid = [...new Set(granted.filter(isValidPermission))];
    this.list = Object.freeze(valid);
    this.all = valid.includes('*:*');
    for (const g of valid) {
      const i = g.indexOf(':');
      const res = g.slice(0, i);
      const act = g.slice(i + 1);
      if (res === '*' && act !== '*') this.anyResource.add(act);
      else if (res !== '*' && act === '*') this.anyAction.add(res);
      else this.exact.add(g);
      if (act === 'read') this.reads.add(res);
    }
  }

  grants(required: string): boolean {
    if (this.all) return isValidPermission(required);
    if (this.exact.has(required)) return true;
    const hit = this.memo.get(required);
    if (hit !== undefined) return hit;
    const result = this.compute(required);
    if (this.memo.size < 1024) this.memo.set(required, result);
    return result;
  }

  private compute(required: string): boolean {
    if (!isValidPermission(required)) return false;
    const i = required.indexOf(':');
    const res = required.slice(0, i);
    const act = required.slice(i + 1);
    if (res !== '*' && this.anyAction.has(res)) return true;
    if (act !== '*' && this.anyResource.has(act)) return true;
    if (act !== '*' && READ_ACTIONS.includes(act)) {
      if (this.reads.has('*') || (res !== '*' && this.reads.has(res))) return true;
    }
    return false;
  }

  covers(requested: readonly string[]): boolean {
    for (const r of requested) {
      if (!this.grants(r)) return false;
    }
    return true;
  }
}

/** Compiles a list of grants once; each check then costs O(1). Invalid entries are ignored. */
export function compilePermissions(granted: readonly string[]): PermissionSet {
  return new CompiledPermissionSet(granted);
}
