import { readFileSync } from 'node:fs';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { BUILTIN_RESOURCES } from '@tessera/domain';
import type { PermissionCatalogDto } from '@tessera/domain';
import { z } from 'zod';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';

type Resource = PermissionCatalogDto['resources'][number];

const NAME = /^[a-z][a-z0-9-]*$/;

/**
 * A deployment's extra resources, e.g.
 * `{"resources": [{"resource": "billing", "description": "Invoices", "actions": ["read", "write"]}]}`
 * (a bare array of resources is accepted too).
 */
const resourceSchema = z.strictObject({
  resource: z.string().regex(NAME, 'must be lower-case [a-z][a-z0-9-]*'),
  description: z.string().max(1000).default(''),
  actions: z.array(z.string().regex(NAME, 'must be lower-case [a-z][a-z0-9-]*')).min(1).max(100),
});
const fileSchema = z.union([
  z.strictObject({ resources: z.array(resourceSchema).max(1000) }),
  z.array(resourceSchema).max(1000).transform((resources) => ({ resources })),
]);

/** Reads and checks a PERMISSIONS_FILE; throws an Error naming the file and the bad entry. */
export function loadPermissionsFile(path: string): Resource[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`PERMISSIONS_FILE ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = fileSchema.safeParse(raw);
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
  return parsed.data.resources.map((r) => ({ resource: r.resource, description: r.description, actions: [...new Set(r.actions)] }));
}

/** The permission catalog: the api's own resources plus the deployment's PERMISSIONS_FILE. */
@Injectable()
export class PermissionsService {
  private readonly logger = new Logger(PermissionsService.name);
  private readonly catalog: PermissionCatalogDto;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const path = config.permissionsFile;
    const extra = path ? loadPermissionsFile(path) : [];
    if (extra.length > 0) this.logger.log(`Registered ${extra.length} resource(s) from PERMISSIONS_FILE`);
    this.catalog = {
      resources: [
        ...BUILTIN_RESOURCES.map((r) => ({ resource: r.resource, description: r.description, actions: [...r.actions] })),
        ...extra,
      ],
    };
  }

  getCatalog(): PermissionCatalogDto {
    return this.catalog;
  }
}
