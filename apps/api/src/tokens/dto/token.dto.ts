import { ApiProperty } from '@nestjs/swagger';
import { TOKEN_STATUSES } from '@tessera/domain';
import type { Actor, CreatedTokenDto as CreatedTokenShape, Page, TokenDto as TokenShape, TokenStatus } from '@tessera/domain';

/** Who created or changed something: a user (console/session) or another token. */
export class ActorDto implements Actor {
  @ApiProperty({ enum: ['user', 'token'] })
  kind!: 'user' | 'token';

  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'admin@tessera.local' })
  name!: string;
}

/** An API token as the api describes it. The secret is never part of it. */
export class TokenDto implements TokenShape {
  @ApiProperty({ format: 'uuid', description: 'The public GUID of the token' })
  id!: string;

  @ApiProperty({ example: 'Nightly reports', maxLength: 100 })
  name!: string;

  @ApiProperty({ example: 'Used by the reporting cron job', maxLength: 1000 })
  description!: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  roleId!: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'Read only' })
  roleName!: string | null;

  @ApiProperty({ type: [String], example: ['audit:read'], description: 'Extra permissions on top of the role' })
  scopes!: string[];

  @ApiProperty({ type: [String], example: ['*:read', 'audit:read'], description: 'Effective permissions: role ∪ scopes' })
  permissions!: string[];

  @ApiProperty({ type: [String], example: ['10.0.0.0/8'], description: 'Empty = any address' })
  allowedIps!: string[];

  @ApiProperty({ type: [String], example: ['10.0.0.13'] })
  blockedIps!: string[];

  @ApiProperty({ type: [String], example: ['GET /api/v1/tokens/**'], description: 'Empty = every endpoint' })
  allowedEndpoints!: string[];

  @ApiProperty({ type: [String], example: ['DELETE /api/v1/**'] })
  blockedEndpoints!: string[];

  @ApiProperty({ type: [String], example: ['https://*.example.com'], description: 'Checked only when a request carries Origin' })
  allowedOrigins!: string[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null = valid from creation' })
  validFrom!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null = never expires' })
  validTo!: string | null;

  @ApiProperty({ description: 'false when deactivated (reversible)' })
  active!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt!: string | null;

  @ApiProperty({ enum: TOKEN_STATUSES, description: 'revoked > inactive > pending > expired > active' })
  status!: TokenStatus;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ type: ActorDto })
  createdBy!: ActorDto;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastUsedAt!: string | null;

  @ApiProperty({ type: String, nullable: true })
  lastUsedIp!: string | null;

  @ApiProperty({ example: 0 })
  useCount!: number;

  @ApiProperty({ example: 'tsr_AbCd…wxYz', description: 'Enough to recognise the secret, never enough to use it' })
  hint!: string;

  @ApiProperty({ example: 1, description: 'Also sent as the ETag; send it back in If-Match on PATCH' })
  version!: number;
}

export class CreatedTokenDto implements CreatedTokenShape {
  @ApiProperty({ type: TokenDto })
  token!: TokenDto;

  @ApiProperty({ example: 'tsr_…', description: 'The secret. Shown once: it is not stored and cannot be retrieved again.' })
  secret!: string;
}

export class TokenPageDto implements Page<TokenDto> {
  @ApiProperty({ type: [TokenDto] })
  items!: TokenDto[];

  @ApiProperty({ example: 42 })
  total!: number;

  @ApiProperty({ example: 1 })
  page!: number;

  @ApiProperty({ example: 20 })
  pageSize!: number;
}

