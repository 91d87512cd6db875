import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DENY_REASONS } from '@tessera/domain';

/** What Tessera's guard would answer for the described request (method, path, ip, origin, permission). */
export class IntrospectionDecisionDto {
  @ApiProperty()
  allowed!: boolean;

  @ApiPropertyOptional({ enum: [401, 403], description: 'When refused: the status to answer' })
  status?: 401 | 403;

  @ApiPropertyOptional({ enum: ['invalid_token', 'insufficient_scope'], nullable: true, description: 'When refused: the RFC 6750 error' })
  error?: 'invalid_token' | 'insufficient_scope' | null;

  @ApiPropertyOptional({ enum: DENY_REASONS, description: 'When refused: which rule refused' })
  reason?: string;

  @ApiPropertyOptional({ description: 'The missing permission (reason missing_permission)' })
  scope?: string;

  @ApiPropertyOptional({ description: 'When refused: a sentence for the answer' })
  message?: string;
}

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

  @ApiPropertyOptional({ type: IntrospectionDecisionDto, description: 'Present when method, path and ip were sent and the token is active' })
  decision?: IntrospectionDecisionDto;
}
