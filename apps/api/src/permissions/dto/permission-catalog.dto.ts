import { ApiProperty } from '@nestjs/swagger';
import type { PermissionCatalogDto as CatalogShape } from '@tessera/domain';

export class PermissionResourceDto {
  @ApiProperty({ example: 'tokens' })
  resource!: string;

  @ApiProperty({ example: 'API tokens' })
  description!: string;

  @ApiProperty({ type: [String], example: ['read', 'write', 'introspect'] })
  actions!: string[];

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
    example: { read: ['cli'], write: ['cli'] },
    description: 'Tags per action (always present; {} when none); the built-in "CLI developer" role grants every action tagged cli',
  })
  tags?: Record<string, string[]>;
}

export class PermissionCatalogDto implements CatalogShape {
  @ApiProperty({ type: [PermissionResourceDto] })
  resources!: PermissionResourceDto[];
}
