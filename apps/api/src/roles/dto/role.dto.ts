import { ApiProperty } from '@nestjs/swagger';
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

