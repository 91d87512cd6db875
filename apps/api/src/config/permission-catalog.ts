import { readFileSync } from 'node:fs';
import { BUILTIN_RESOURCES, type CatalogResource, effectivePermissions } from '@tessera/domain';
import { z } from 'zod';
import type { AppConfig } from './app-config';

const NAME = /^[a-z][a-z0-9-]*$/;
const name = z.string().regex(NAME, 'must be lower-case [a-z][a-z0-9-]*');

/**
 * A deployment's extra resources, e.g.
 * `{"resources": [{"resource": "deploys", "description": "Deployments", "actions": ["read", "push"],
 *   "tags": {"push": ["cli"]}}]}` (a bare array of resources is accepted too). `tags` gives actions
 * tags; the built-in "CLI developer" role grants every action tagged `cli`.
 */
const resourceSchema = z
  .strictObject({
    resource: name,
    description: z.string().max(1000).default(''),
    actions: z.array(name).min(1).max(100),
    tags: z.record(name, z.array(name).max(20)).optional(),
  })
  .superRefine((r, ctx) => {
    for (const action of Object.keys(r.tags ?? {})) {
      if (!r.actions.includes(action)) ctx.addIssue({ code: 'custom', path: ['tags', action], message: `tags an action "${action}" the resource does not list` });
    }
  });
const resourcesSchema = z.array(resourceSchema).max(1000);
/** `{resources: [...]}` or a bare array; each form checked on its own so errors name the entry. */
const fileSchema = z.strictObject({ resources: resourcesSchema });

/** Reads and checks a PERMISSIONS_FILE; throws an Error naming the file and the bad entry. */
export function loadPermissionsFile(path: string): CatalogResource[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`PERMISSIONS_FILE ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = fileSchema.safeParse(Array.isArray(raw) ? { resources: raw } : raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.join('.') ?? '';
    throw new Error(`PERMISSIONS_FILE ${path}: ${where ? `${where}: ` : ''}${first?.message ?? 'invalid'}`);
  }
  const builtIn = new Set(BUILTIN_RESOURCES.map((r) => r.resource));
  const seen = new Set<string>();
  for (const r of parsed.data.resources) {
    if (builtIn.has(r.resource)) {
      throw new Error(`PERMISSIONS_FILE ${path}: resource "${r.resource}" is built in and cannot be redefined`);
    }
    if (seen.has(r.resource)) {
      throw new Error(`PERMISSIONS_FILE ${path}: resource "${r.resource}" is listed twice`);
    }
    seen.add(r.resource);
  }
  return parsed.data.resources.map((r) => ({
    resource: r.resource,
    description: r.description,
    actions: [...new Set(r.actions)],
    ...(r.tags ? { tags: Object.fromEntries(Object.entries(r.tags).map(([a, t]) => [a, [...new Set(t)]])) } : {}),
  }));
}

/**
 * The permission catalog of this process: the api's own resources plus PERMISSIONS_FILE's, read
 * once at start. Injected wherever a role's permissions become effective ones, because a tag grant
 * (`@cli` of "CLI developer") means "every action of this catalog with that tag".
 */
export class PermissionCatalog {
  constructor(readonly resources: readonly CatalogResource[]) {}

  static fromConfig(config: Pick<AppConfig, 'permissionsFile'>): PermissionCatalog {
    const extra = config.permissionsFile ? loadPermissionsFile(config.permissionsFile) : [];
    return new PermissionCatalog([...BUILTIN_RESOURCES.map((r) => structuredClone(r)), ...extra]);
  }

  /** Role ∪ scopes with tag grants expanded over this catalog (`effectivePermissions`). */
  effective(rolePermissions: readonly string[] | null | undefined, scopes: readonly string[] = []): string[] {
    return effectivePermissions(rolePermissions, scopes, this.resources);
  }
}
