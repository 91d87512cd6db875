import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiGoneResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import {
  type AcceptInvitationInput,
  type AcceptedInvitationDto,
  acceptInvitationSchema,
  type CreateInvitationInput,
  type CreatedInvitationDto as Created,
  createInvitationSchema,
  type InvitationDto as Invitation,
  type InvitationListQuery,
  invitationListQuerySchema,
  type Page,
} from '@tessera/domain';
import { CurrentPrincipal, CurrentRequestContext, Public, RequirePermission } from '../common/decorators';
import type { RequestContext } from '../common/http-request';
import { ApiZodBody, ApiZodQuery } from '../common/openapi-zod';
import type { Principal } from '../common/principal';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { LoginResponse } from '../auth/dto/auth.dto';
import { CreatedInvitationDto, InvitationPageDto } from './dto/invitation.dto';
import { InvitationsService } from './invitations.service';

const InvitationId = new UuidParamPipe('Invitation');
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * Where the link points when PUBLIC_URL is unset: the console's own origin as the browser sent it
 * (Origin of the POST), else the Host the request was made to. E-mailed links need PUBLIC_URL
 * (config refuses SMTP_URL without it), so a forged header never reaches an inbox.
 */
function baseUrlOf(ctx: RequestContext, host: string | undefined): string {
  if (ctx.origin && /^https?:\/\/[^/\s]+$/.test(ctx.origin)) return ctx.origin;
  return `http://${host && HOST.test(host) ? host : 'localhost'}`;
}

@ApiTags('invitations')
@Controller('invitations')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Get()
  @ApiBearerAuth()
  @RequirePermission('users:read')
  @ApiOperation({ summary: 'Pending and expired invitations of your organization, newest first' })
  @ApiZodQuery(invitationListQuerySchema)
  @ApiOkResponse({ type: InvitationPageDto })
  list(@CurrentPrincipal() who: Principal, @Query(new ZodValidationPipe(invitationListQuerySchema)) query: InvitationListQuery): Promise<Page<Invitation>> {
    return this.invitations.list(who, query);
  }

  @Post()
  @ApiBearerAuth()
  @RequirePermission('users:write')
  @ApiOperation({
    summary: 'Invite someone by e-mail into a role; returns the single-use link once (also e-mailed when SMTP_URL is set)',
    description: 'The link expires 72 hours after it is sent. An address with an expired invitation is invited afresh.',
  })
  @ApiZodBody(createInvitationSchema)
  @ApiCreatedResponse({ type: CreatedInvitationDto })
  @ApiBadRequestResponse({ description: 'Invalid body or unknown role (problem+json naming the field)' })
  @ApiForbiddenResponse({ description: 'The role is wider than the caller' })
  @ApiConflictResponse({ description: 'The address is registered already, or has a pending invitation' })
  create(
    @CurrentPrincipal() who: Principal,
    @CurrentRequestContext() ctx: RequestContext,
    @Headers('host') host: string | undefined,
    @Body(new ZodValidationPipe(createInvitationSchema)) body: CreateInvitationInput,
  ): Promise<Created> {
    return this.invitations.create(who, body, baseUrlOf(ctx, host));
  }

  @Post('accept')
  @Public()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Accept an invitation: creates the user with the invited role and logs them in',
    description: 'A used, expired, withdrawn or unknown secret answers 410; each one counts as a failed authentication of the address.',
  })
  @ApiZodBody(acceptInvitationSchema)
  @ApiCreatedResponse({ type: LoginResponse })
  @ApiBadRequestResponse({ description: 'Invalid body (problem+json naming the field)' })
  @ApiGoneResponse({ description: 'This invitation link is broken (used, expired, withdrawn or unknown)' })
  @ApiConflictResponse({ description: 'The address was registered in the meantime' })
  @ApiTooManyRequestsResponse({ description: 'Too many failed authentications from this address (Retry-After)' })
  accept(
    @Body(new ZodValidationPipe(acceptInvitationSchema)) body: AcceptInvitationInput,
    @CurrentRequestContext() ctx: RequestContext,
  ): Promise<AcceptedInvitationDto> {
    return this.invitations.accept(body, ctx);
  }

  @Post(':id/resend')
  @ApiBearerAuth()
  @RequirePermission('users:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new link for the invitation (the old one stops working), valid 72 hours from now' })
  @ApiOkResponse({ type: CreatedInvitationDto })
  @ApiForbiddenResponse({ description: 'The invited role is wider than the caller' })
  @ApiNotFoundResponse({ description: 'No such invitation in your organization' })
  @ApiConflictResponse({ description: 'The invitation was accepted' })
  resend(
    @CurrentPrincipal() who: Principal,
    @CurrentRequestContext() ctx: RequestContext,
    @Headers('host') host: string | undefined,
    @Param('id', InvitationId) id: string,
  ): Promise<Created> {
    return this.invitations.resend(who, id, baseUrlOf(ctx, host));
  }

  @Delete(':id')
  @ApiBearerAuth()
  @RequirePermission('users:write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Withdraw an invitation; its link answers 410 from now on' })
  @ApiNoContentResponse()
  @ApiForbiddenResponse({ description: 'The invited role is wider than the caller' })
  @ApiNotFoundResponse({ description: 'No such invitation in your organization' })
  remove(@CurrentPrincipal() who: Principal, @Param('id', InvitationId) id: string): Promise<void> {
    return this.invitations.remove(who, id);
  }
}
