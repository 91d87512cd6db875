import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { introspectSchema } from '@tessera/domain';
import type { IntrospectInput } from '@tessera/domain';
import { CurrentPrincipal, RequirePermission } from '../common/decorators';
import type { Principal } from '../common/principal';
import { ApiZodBody } from '../common/openapi-zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { IntrospectResponseDto } from './dto/introspect.dto';
import { IntrospectService } from './introspect.service';
import type { IntrospectionResponse } from './introspect.service';

@ApiTags('introspect')
@ApiBearerAuth()
@Controller('introspect')
export class IntrospectController {
  constructor(private readonly introspection: IntrospectService) {}

  @Post()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @RequirePermission('tokens:introspect')
  @ApiOperation({ summary: 'RFC 7662 token introspection: is this token active, and what may it do?' })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiZodBody(introspectSchema)
  @ApiBadRequestResponse({ description: 'Invalid body: application/problem+json naming each bad field' })
  @ApiOkResponse({ type: IntrospectResponseDto })
  introspect(
    @CurrentPrincipal() who: Principal,
    @Body(new ZodValidationPipe(introspectSchema)) body: IntrospectInput,
  ): Promise<IntrospectionResponse> {
    return this.introspection.introspect(who, body);
  }
}
