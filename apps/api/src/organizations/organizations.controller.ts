import { Body, Controller, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { createOrganizationSchema } from '@tessera/domain';
import type { CreateOrganizationInput } from '@tessera/domain';
import { CurrentPrincipal, RequirePermission } from '../common/decorators';
import type { Principal } from '../common/principal';
import { ApiZodBody } from '../common/openapi-zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { CreatedOrganizationDto } from './dto/organization.dto';
import { OrganizationsService } from './organizations.service';

@ApiTags('organizations')
@ApiBearerAuth()
@Controller('organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Post()
  @RequirePermission('organizations:write')
  @ApiOperation({
    summary: 'Create an organization with its built-in roles and first admin (principals of the first organization only)',
  })
  @ApiZodBody(createOrganizationSchema)
  @ApiBadRequestResponse({ description: 'Invalid body: application/problem+json naming each bad field' })
  @ApiCreatedResponse({ type: CreatedOrganizationDto })
  @ApiForbiddenResponse({ description: 'The caller does not belong to the first organization' })
  @ApiConflictResponse({ description: 'Organization name or admin email taken' })
  create(
    @CurrentPrincipal() who: Principal,
    @Body(new ZodValidationPipe(createOrganizationSchema)) body: CreateOrganizationInput,
  ): Promise<CreatedOrganizationDto> {
    return this.organizations.create(who, body);
  }
}
