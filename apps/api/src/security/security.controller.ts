import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ipAllowlistSchema } from '@tessera/domain';
import type { IpAllowlistDto as IpAllowlist, IpAllowlistInput } from '@tessera/domain';
import { CurrentPrincipal, RequirePermission } from '../common/decorators';
import type { Principal } from '../common/principal';
import { ApiZodBody } from '../common/openapi-zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { IpAllowlistDto } from './dto/ip-allowlist.dto';
import { SecurityService } from './security.service';

@ApiTags('security')
@ApiBearerAuth()
@Controller('security')
export class SecurityController {
  constructor(private readonly security: SecurityService) {}

  @Get('ip-allowlist')
  @RequirePermission('security:read')
  @ApiOperation({ summary: 'The organization IP allowlist and the address you are calling from' })
  @ApiOkResponse({ type: IpAllowlistDto })
  get(@CurrentPrincipal() who: Principal): Promise<IpAllowlist> {
    return this.security.getAllowlist(who);
  }

  @Put('ip-allowlist')
  @RequirePermission('security:write')
  @ApiOperation({ summary: 'Replace the organization IP allowlist (empty = no restriction)' })
  @ApiZodBody(ipAllowlistSchema)
  @ApiBadRequestResponse({ description: 'Invalid body: application/problem+json naming each bad field' })
  @ApiOkResponse({ type: IpAllowlistDto })
  @ApiConflictResponse({ description: 'The list would shut out your own address; send force: true to save anyway' })
  put(@CurrentPrincipal() who: Principal, @Body(new ZodValidationPipe(ipAllowlistSchema)) body: IpAllowlistInput): Promise<IpAllowlist> {
    return this.security.putAllowlist(who, body);
  }
}
