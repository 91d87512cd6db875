import { Injectable, Logger } from '@nestjs/common';
import { BUILTIN_RESOURCES } from '@tessera/domain';
import type { PermissionCatalogDto } from '@tessera/domain';
import { PermissionCatalog } from '../config/permission-catalog';

export { loadPermissionsFile } from '../config/permission-catalog';

/** The permission catalog: the api's own resources plus the deployment's PERMISSIONS_FILE, with action tags. */
@Injectable()
export class PermissionsService {
  private readonly logger = new Logger(PermissionsService.name);
  private readonly catalog: PermissionCatalogDto;

  constructor(catalog: PermissionCatalog) {
    const extra = catalog.resources.length - BUILTIN_RESOURCES.length;
    if (extra > 0) this.logger.log(`Registered ${extra} resource(s) from PERMISSIONS_FILE`);
    this.catalog = { resources: catalog.resources.map((r) => ({ ...r, actions: [...r.actions], tags: { ...(r.tags ?? {}) } })) };
  }

  getCatalog(): PermissionCatalogDto {
    return this.catalog;
  }
}
