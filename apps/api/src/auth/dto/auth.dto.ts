import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { LoginResponseDto, MeDto, Page, SessionDto } from '@tessera/domain';
import { UserDto } from '../../users/dto/user.dto';

export class LoginResponse implements LoginResponseDto {
  @ApiProperty({ description: 'Session bearer token (tss_…), valid 3 hours. Shown once.' })
  token!: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt!: string;

  @ApiProperty({ type: UserDto })
  user!: UserDto;
}

class OrganizationRef {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;
}

export class MeResponse implements MeDto {
  @ApiProperty({ enum: ['user', 'token'] })
  kind!: 'user' | 'token';

  @ApiProperty({ format: 'uuid', description: 'User id or token id' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiPropertyOptional({
    format: 'email',
    description: "The user's email (users only; absent for a token)",
  })
  email?: string;

  @ApiProperty({ type: OrganizationRef })
  organization!: { id: string; name: string };

  @ApiProperty({ type: [String], example: ['*:read'], description: "Effective permissions (the role's, and a token's scopes)" })
  permissions!: string[];

  @ApiProperty({
    type: [String],
    example: ['tokens:read', 'tokens:write'],
    description:
      "The catalog permissions the caller may hand out to a token, role or user; anything else is refused (403). A token caller is also held to its own limits (its token's IP, endpoint, origin and validity rules).",
  })
  grantable!: string[];

  @ApiPropertyOptional({ format: 'uuid' })
  sessionId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  tokenId?: string;
}

export class SessionResponse implements SessionDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastUsedAt!: string | null;

  @ApiProperty({ type: String, nullable: true })
  ip!: string | null;

  @ApiProperty({ type: String, nullable: true })
  userAgent!: string | null;

  @ApiProperty({ description: 'The session making this request' })
  current!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  endedAt!: string | null;
}

export class SessionPage implements Page<SessionDto> {
  @ApiProperty({ type: [SessionResponse] })
  items!: SessionResponse[];

  @ApiProperty()
  total!: number;

  @ApiProperty()
  page!: number;

  @ApiProperty()
  pageSize!: number;
}
