import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { createUserSchema, updateUserSchema } from '@tessera/domain';
import type { CreateUserInput, UpdateUserInput, UserDto as User } from '@tessera/domain';
import { CurrentPrincipal, RequirePermission } from '../common/decorators';
import type { Principal } from '../common/principal';
import { ApiZodBody } from '../common/openapi-zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { UserDto } from './dto/user.dto';
import { UsersService } from './users.service';

const UserId = new UuidParamPipe('User');

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @RequirePermission('users:read')
  @ApiOperation({ summary: 'Users of your organization, by email' })
  @ApiOkResponse({ type: [UserDto] })
  list(@CurrentPrincipal() who: Principal): Promise<User[]> {
    return this.users.list(who);
  }

  @Post()
  @RequirePermission('users:write')
  @ApiOperation({ summary: 'Add a user to your organization' })
  @ApiForbiddenResponse({ description: 'The role is wider than the caller, or the caller is a token with limits (a user has none)' })
  @ApiZodBody(createUserSchema)
  @ApiBadRequestResponse({ description: 'Invalid body: application/problem+json naming each bad field' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiConflictResponse({ description: 'The email is already registered' })
  create(@CurrentPrincipal() who: Principal, @Body(new ZodValidationPipe(createUserSchema)) body: CreateUserInput): Promise<User> {
    return this.users.create(who, body);
  }

  @Get(':id')
  @RequirePermission('users:read')
  @ApiOperation({ summary: 'One user' })
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ description: 'No such user in your organization' })
  get(@CurrentPrincipal() who: Principal, @Param('id', UserId) id: string): Promise<User> {
    return this.users.get(who, id);
  }

  @Patch(':id')
  @RequirePermission('users:write')
  @ApiOperation({ summary: 'Change role, active, display name or password (a new password or deactivation ends their sessions)' })
  @ApiForbiddenResponse({ description: 'The user is wider than the caller (unless it is the caller), or the new role would be' })
  @ApiZodBody(updateUserSchema)
  @ApiBadRequestResponse({ description: 'Invalid body: application/problem+json naming each bad field' })
  @ApiOkResponse({ type: UserDto })
  @ApiConflictResponse({ description: 'You cannot change your own role or deactivate yourself' })
  update(
    @CurrentPrincipal() who: Principal,
    @Param('id', UserId) id: string,
    @Body(new ZodValidationPipe(updateUserSchema)) body: UpdateUserInput,
  ): Promise<User> {
    return this.users.update(who, id, body);
  }
}
