import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AccessStep, ExplainResponseDto as ExplainShape } from '@tessera/domain';

export class AccessStepDto implements AccessStep {
  @ApiProperty({ enum: ['format', 'lookup', 'status', 'org_ip', 'ip', 'origin', 'endpoint', 'permission'] })
  step!: AccessStep['step'];

  @ApiProperty()
  ok!: boolean;

  @ApiProperty({ example: '203.0.113.45 matches 203.0.113.0/24' })
  detail!: string;
}

export class ExplainResponseDto implements ExplainShape {
  @ApiProperty()
  allowed!: boolean;

  @ApiProperty({ example: 403, description: 'The HTTP status the guard would answer (200 when allowed)' })
  status!: number;

  @ApiProperty({ type: String, nullable: true, example: 'insufficient_scope' })
  error!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'missing_permission' })
  reason!: string | null;

  @ApiPropertyOptional({ example: 'tokens:write' })
  scope?: string;

  @ApiProperty()
  message!: string;

  @ApiProperty({ type: [AccessStepDto] })
  steps!: AccessStepDto[];
}
