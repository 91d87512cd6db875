import { ApiProperty } from '@nestjs/swagger';
import type { PermissionCatalogDto as CatalogShape } from '@tessera/domain';

export class PermissionResourceDto {
  @ApiProperty({ example: 'tokens' })
  resource!: string;

  @ApiProperty({ example: 'API tokens' })
  description!: string;

  @ApiProperty({ type: [String], example: ['read', 'write', 'introspect'] })
  actions!: string[];
}

export class PermissionCatalogDto implements CatalogShape {
  @ApiProperty({ type: [PermissionResourceDto] })
  resources!: PermissionResourceDto[];
}
