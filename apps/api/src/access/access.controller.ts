import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { explainRequestSchema } from '@tessera/domain';
import type { ExplainRequestInput, ExplainResponseDto as Explanation } from '@tessera/domain';
import { CurrentPrincipal, RequirePermission } from '../common/decorators';
import type { Principal } from '../common/principal';
import { ApiZodBody } from '../common/openapi-zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AccessService } from './access.service';
import { ExplainResponseDto } from './dto/explain.dto';

@ApiTags('access')
@ApiBearerAuth()
@Controller('access')
export class AccessController {
  constructor(private readonly access: AccessService) {}

  @Post('explain')
  @HttpCode(200)
  @RequirePermission('tokens:read')
  @ApiOperation({
    summary: 'The decision the guard would take for a token, method, path, IP and origin, step by step (the token is not used)',
  })
  @ApiZodBody(explainRequestSchema)
  @ApiBadRequestResponse({ description: 'Invalid body: application/problem+json naming each bad field' })
  @ApiOkResponse({ type: ExplainResponseDto })
  @ApiNotFoundResponse({ description: 'No such token in your organization' })
  explain(@CurrentPrincipal() who: Principal, @Body(new ZodValidationPipe(explainRequestSchema)) body: ExplainRequestInput): Promise<Explanation> {
    return this.access.explain(who, body);
  }
}
