import { ApiProperty } from '@nestjs/swagger';
import type { Actor, AuditEventDto, CliActor, Page } from '@tessera/domain';

class ActorRef {
  @ApiProperty({ enum: ['user', 'token', 'cli'], description: '`cli`: an operator command (`npm run tessera -- …`)' })
  kind!: 'user' | 'token' | 'cli';

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null for `cli`' })
  id!: string | null;

  @ApiProperty()
  name!: string;
}

export class AuditEventResponse implements AuditEventDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiProperty({ type: ActorRef, nullable: true })
  actor!: Actor | CliActor | null;

  @ApiProperty({ example: 'token.create' })
  action!: string;

  @ApiProperty({ type: String, nullable: true, example: 'token' })
  targetType!: string | null;

  @ApiProperty({ type: String, nullable: true })
  targetId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  targetName!: string | null;

  @ApiProperty({ type: String, nullable: true })
  ip!: string | null;

  @ApiProperty({ type: String, nullable: true })
  userAgent!: string | null;

  @ApiProperty({ enum: ['success', 'failure'] })
  outcome!: 'success' | 'failure';

  @ApiProperty({ type: String, nullable: true, example: 'revoked' })
  reason!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  details!: Record<string, unknown>;

  @ApiProperty({ minimum: 1, description: 'Events this row stands for: more than 1 for a summary of refusals' })
  count!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The last of `count` events (null when count is 1)' })
  lastAt!: string | null;
}

export class AuditPage implements Page<AuditEventDto> {
  @ApiProperty({ type: [AuditEventResponse] })
  items!: AuditEventResponse[];

  @ApiProperty()
  total!: number;

  @ApiProperty()
  page!: number;

  @ApiProperty()
  pageSize!: number;
}

