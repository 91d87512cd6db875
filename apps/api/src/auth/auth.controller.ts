import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import {
  type ChangePasswordInput,
  changePasswordSchema,
  type LoginInput,
  type LoginResponseDto,
  loginSchema,
  type MeDto,
  type Page,
  type SessionDto,
} from '@tessera/domain';
import { Authenticated, CurrentPrincipal, CurrentRequestContext, Public } from '../common/decorators';
import type { RequestContext } from '../common/http-request';
import type { Principal } from '../common/principal';
import { notFound } from '../common/problem';
import { ApiZodBody } from '../common/openapi-zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AuthService } from './auth.service';
import { LoginResponse, MeResponse, SessionPage } from './dto/auth.dto';
import { ChangePasswordResponse } from './dto/password-change.dto';
import { PasswordChangeService } from './password-change.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly passwords: PasswordChangeService,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in with email and password; returns a 3-hour session bearer token' })
  @ApiZodBody(loginSchema)
  @ApiOkResponse({ type: LoginResponse })
  @ApiTooManyRequestsResponse({
    description: 'Too many failed authentications from this address (IPv4, or IPv6 /64) or for this account (Retry-After)',
  })
  @ApiServiceUnavailableResponse({ description: 'Too many password verifications in progress (Retry-After)' })
  login(
    @Body(new ZodValidationPipe(loginSchema)) body: LoginInput,
    @CurrentRequestContext() ctx: RequestContext,
  ): Promise<LoginResponseDto> {
    return this.auth.login(body, ctx);
  }

  @Post('logout')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({ summary: 'End the current session' })
  @ApiNoContentResponse()
  logout(@CurrentPrincipal() who: Principal): Promise<void> {
    return this.auth.logout(who);
  }

  @Post('password')
  @Authenticated()
  @HttpCode(200)
  @ApiOperation({
    summary: "Change the signed-in user's password (session only); ends the user's other sessions",
    description:
      'A wrong current password answers 400 naming `currentPassword` and counts as a failed authentication (429 + Retry-After past the limit). API tokens are refused (403).',
  })
  @ApiZodBody(changePasswordSchema)
  @ApiOkResponse({ type: ChangePasswordResponse })
  @ApiBadRequestResponse({ description: 'Invalid body, weak new password or wrong current password (problem+json naming the field)' })
  @ApiTooManyRequestsResponse({ description: 'Too many failed authentications from this address (Retry-After)' })
  changePassword(
    @CurrentPrincipal() who: Principal,
    @Body(new ZodValidationPipe(changePasswordSchema)) body: ChangePasswordInput,
  ): Promise<{ endedSessions: number }> {
    return this.passwords.change(who, body);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'The caller (user or token), its organization and permissions' })
  @ApiOkResponse({ type: MeResponse })
  me(@CurrentPrincipal() who: Principal): Promise<MeDto> {
    return this.auth.me(who);
  }

  @Get('sessions')
  @Authenticated()
  @ApiOperation({ summary: "The caller's 50 most recent sessions" })
  @ApiOkResponse({ type: SessionPage })
  sessions(@CurrentPrincipal() who: Principal): Promise<Page<SessionDto>> {
    return this.auth.sessions(who);
  }

  @Delete('sessions/:id')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({ summary: "End one of the caller's sessions" })
  @ApiNoContentResponse()
  endSession(
    @CurrentPrincipal() who: Principal,
    @Param('id', new ParseUUIDPipe({ exceptionFactory: () => notFound('Session') })) id: string,
  ): Promise<void> {
    return this.auth.endSession(who, id);
  }
}
