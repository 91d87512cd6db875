import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { RoleDto as RoleShape } from '@tessera/domain';

export class RoleDto implements RoleShape {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Read only' })
  name!: string;

  @ApiProperty({ example: 'Reads everything, changes nothing' })
  description!: string;

  @ApiProperty({ type: [String], example: ['*:read'] })
  permissions!: string[];

  @ApiProperty({ description: 'Built-in roles are read-only' })
  builtIn!: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class CreateRoleDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Reporting' })
  name!: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  description?: string;

  @ApiProperty({ type: [String], minItems: 1, example: ['tokens:read', 'audit:read'] })
  permissions!: string[];
}

export class UpdateRoleDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  name?: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  description?: string;

  @ApiPropertyOptional({ type: [String], minItems: 1 })
  permissions?: string[];
}
