import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { UserDto as UserShape } from '@tessera/domain';

export class UserDto implements UserShape {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'email' })
  email!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  displayName!: string;

  @ApiProperty({ format: 'uuid' })
  roleId!: string;

  @ApiProperty({ example: 'All permissions' })
  roleName!: string;

  @ApiProperty()
  active!: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastLoginAt!: string | null;
}

export class CreateUserDto {
  @ApiProperty({ format: 'email', maxLength: 254 })
  email!: string;

  @ApiProperty({ minLength: 1, maxLength: 100 })
  displayName!: string;

  @ApiProperty({ minLength: 12, maxLength: 200, format: 'password' })
  password!: string;

  @ApiProperty({ format: 'uuid' })
  roleId!: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ format: 'uuid' })
  roleId?: string;

  @ApiPropertyOptional()
  active?: boolean;

  @ApiPropertyOptional({ minLength: 12, maxLength: 200, format: 'password', description: 'Sets a new password and ends the user\'s sessions' })
  password?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  displayName?: string;
}
