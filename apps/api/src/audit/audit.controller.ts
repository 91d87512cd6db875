import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AuditEventDto, type AuditQuery, auditQuerySchema, type Page } from '@tessera/domain';
import { CurrentPrincipal, RequirePermission } from '../common/decorators';
import type { Principal } from '../common/principal';
import { ApiZodQuery } from '../common/openapi-zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AuditQueryService } from './audit-query.service';
import { AuditPage } from './dto/audit.dto';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditQueryService) {}

  @Get()
  @RequirePermission('audit:read')
  @ApiOperation({ summary: "The organization's audit trail, newest first" })
  @ApiZodQuery(auditQuerySchema)
  @ApiOkResponse({ type: AuditPage })
  list(
    @CurrentPrincipal() who: Principal,
    @Query(new ZodValidationPipe(auditQuerySchema)) query: AuditQuery,
  ): Promise<Page<AuditEventDto>> {
    return this.audit.list(who, query);
  }
}
