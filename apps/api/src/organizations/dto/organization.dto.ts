import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { UserDto } from '../../users/dto/user.dto';

export class OrganizationDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Acme' })
  name!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class CreatedOrganizationDto {
  @ApiProperty({ type: OrganizationDto })
  organization!: OrganizationDto;

  @ApiProperty({ type: UserDto, description: 'The organization\'s first admin (role "All permissions")' })
  admin!: UserDto;

  @ApiPropertyOptional({ description: 'The generated admin password, returned only here and only when none was given' })
  adminPassword?: string;
}
