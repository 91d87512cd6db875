import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { createRoleSchema, updateRoleSchema } from '@tessera/domain';
import type { CreateRoleInput, RoleDto as Role, UpdateRoleInput } from '@tessera/domain';
import { CurrentPrincipal, RequirePermission } from '../common/decorators';
import type { Principal } from '../common/principal';
import { ApiZodBody } from '../common/openapi-zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { RoleDto } from './dto/role.dto';
import { RolesService } from './roles.service';

const RoleId = new UuidParamPipe('Role');

@ApiTags('roles')
@ApiBearerAuth()
@Controller('roles')
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @Get()
  @RequirePermission('roles:read')
  @ApiOperation({ summary: 'Roles of your organization (built-ins first, then by name)' })
  @ApiOkResponse({ type: [RoleDto] })
  list(@CurrentPrincipal() who: Principal): Promise<Role[]> {
    return this.roles.list(who);
  }

  @Post()
  @RequirePermission('roles:write')
  @ApiOperation({ summary: 'Create a role' })
  @ApiForbiddenResponse({ description: 'Permissions beyond the caller\'s' })
  @ApiZodBody(createRoleSchema)
  @ApiBadRequestResponse({ description: 'Invalid body: application/problem+json naming each bad field' })
  @ApiCreatedResponse({ type: RoleDto })
  @ApiConflictResponse({ description: 'The name is already used in this organization' })
  create(@CurrentPrincipal() who: Principal, @Body(new ZodValidationPipe(createRoleSchema)) body: CreateRoleInput): Promise<Role> {
    return this.roles.create(who, body);
  }

  @Get(':id')
  @RequirePermission('roles:read')
  @ApiOperation({ summary: 'One role' })
  @ApiOkResponse({ type: RoleDto })
  @ApiNotFoundResponse({ description: 'No such role in your organization' })
  get(@CurrentPrincipal() who: Principal, @Param('id', RoleId) id: string): Promise<Role> {
    return this.roles.get(who, id);
  }

  @Patch(':id')
  @RequirePermission('roles:write')
  @ApiOperation({ summary: 'Edit a role; takes effect on the next request of every token and user holding it' })
  @ApiForbiddenResponse({ description: 'The role, as it is or as edited, or a token or user holding it, is wider than the caller' })
  @ApiZodBody(updateRoleSchema)
  @ApiBadRequestResponse({ description: 'Invalid body: application/problem+json naming each bad field' })
  @ApiOkResponse({ type: RoleDto })
  @ApiConflictResponse({ description: 'Built-in role, or name taken' })
  update(
    @CurrentPrincipal() who: Principal,
    @Param('id', RoleId) id: string,
    @Body(new ZodValidationPipe(updateRoleSchema)) body: UpdateRoleInput,
  ): Promise<Role> {
    return this.roles.update(who, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('roles:write')
  @ApiOperation({ summary: 'Delete a role that no token or user uses' })
  @ApiForbiddenResponse({ description: 'Permissions beyond the caller\'s' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiConflictResponse({ description: 'Built-in role, or in use by tokens or users' })
  async remove(@CurrentPrincipal() who: Principal, @Param('id', RoleId) id: string): Promise<void> {
    await this.roles.remove(who, id);
  }
}
