import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** RFC 7662 §2.2. Only `active` is present when the token is not usable. */
export class IntrospectResponseDto {
  @ApiProperty()
  active!: boolean;

  @ApiPropertyOptional({ example: 'tokens:read audit:read', description: 'Effective permissions, space-separated' })
  scope?: string;

  @ApiPropertyOptional({ example: 1767225600, description: 'validTo (seconds since the epoch); absent = never expires' })
  exp?: number;

  @ApiPropertyOptional({ example: 1735689600, description: 'Creation time (seconds since the epoch)' })
  iat?: number;

  @ApiPropertyOptional({ description: 'validFrom (seconds since the epoch), when set' })
  nbf?: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'The token id' })
  sub?: string;

  @ApiPropertyOptional({ description: 'The token name' })
  username?: string;

  @ApiPropertyOptional({ example: 'bearer' })
  token_type?: 'bearer';

  @ApiPropertyOptional({ format: 'uuid', description: 'The organization the token belongs to' })
  org?: string;
}
