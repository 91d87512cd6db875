import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import { createTokenSchema, regenerateTokenSchema, tokenListQuerySchema, updateTokenSchema } from '@tessera/domain';
import type {
  CreateTokenInput,
  CreatedTokenDto as CreatedToken,
  Page,
  RegenerateTokenInput,
  TokenDto as Token,
  TokenListQuery,
  UpdateTokenInput,
} from '@tessera/domain';
import { CurrentPrincipal, RequirePermission } from '../common/decorators';
import type { Principal } from '../common/principal';
import { ApiZodBody, ApiZodQuery } from '../common/openapi-zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { CreatedTokenDto, TokenDto, TokenPageDto } from './dto/token.dto';
import { TokensService } from './tokens.service';
import { UuidParamPipe } from '../common/uuid-param.pipe';

/** The bit of a reply object (Express or Fastify) needed to set a header. */
interface HeaderSink {
  header(name: string, value: string): unknown;
}

const TokenId = new UuidParamPipe('Token');
const WOULD_BE_WIDER =
  'The token would be wider than the caller in some dimension (permissions, validity, allowed/blocked IPs, endpoints, origins); the detail names it';
const IS_WIDER = 'The token is wider than the caller (a caller acts only on tokens it covers, or on itself); the detail names what is wider';
const ETAG_HEADER = { ETag: { description: 'The token version, e.g. "3"', schema: { type: 'string' } } };

@ApiTags('tokens')
@ApiBearerAuth()
@Controller('tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Get()
  @RequirePermission('tokens:read')
  @ApiOperation({ summary: 'List tokens: filter by name keywords, GUID, scope and status; sort; page' })
  @ApiZodQuery(tokenListQuerySchema)
  @ApiOkResponse({ type: TokenPageDto })
  list(
    @CurrentPrincipal() who: Principal,
    @Query(new ZodValidationPipe(tokenListQuerySchema)) query: TokenListQuery,
  ): Promise<Page<Token>> {
    return this.tokens.list(who, query);
  }

  @Post()
  @RequirePermission('tokens:write')
  @ApiOperation({ summary: 'Create a token. The secret is in the answer, and only there.' })
  @ApiZodBody(createTokenSchema)
  @ApiBadRequestResponse({ description: 'Invalid body: application/problem+json naming each bad field' })
  @ApiCreatedResponse({ type: CreatedTokenDto, headers: ETAG_HEADER })
  @ApiForbiddenResponse({ description: WOULD_BE_WIDER })
  @ApiConflictResponse({ description: 'The name is already used in this organization' })
  async create(
    @CurrentPrincipal() who: Principal,
    @Body(new ZodValidationPipe(createTokenSchema)) body: CreateTokenInput,
    @Res({ passthrough: true }) res: HeaderSink,
  ): Promise<CreatedToken> {
    const created = await this.tokens.create(who, body);
    res.header('ETag', this.tokens.etag(created.token));
    return created;
  }

  @Get(':id')
  @RequirePermission('tokens:read')
  @ApiOperation({ summary: 'One token' })
  @ApiOkResponse({ type: TokenDto, headers: ETAG_HEADER })
  @ApiNotFoundResponse({ description: 'No such token in your organization' })
  async get(
    @CurrentPrincipal() who: Principal,
    @Param('id', TokenId) id: string,
    @Res({ passthrough: true }) res: HeaderSink,
  ): Promise<Token> {
    const token = await this.tokens.get(who, id);
    res.header('ETag', this.tokens.etag(token));
    return token;
  }

  @Patch(':id')
  @RequirePermission('tokens:write')
  @ApiOperation({ summary: 'Edit name, description, role, scopes, rules and dates (never the secret)' })
  @ApiForbiddenResponse({ description: `${IS_WIDER}, or the edit would make it wider` })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag from GET; a stale one answers 412' })
  @ApiZodBody(updateTokenSchema)
  @ApiBadRequestResponse({ description: 'Invalid body: application/problem+json naming each bad field' })
  @ApiOkResponse({ type: TokenDto, headers: ETAG_HEADER })
  @ApiPreconditionFailedResponse({ description: 'If-Match does not match the current version' })
  @ApiConflictResponse({ description: 'Name taken, or the token is revoked' })
  async update(
    @CurrentPrincipal() who: Principal,
    @Param('id', TokenId) id: string,
    @Body(new ZodValidationPipe(updateTokenSchema)) body: UpdateTokenInput,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderSink,
  ): Promise<Token> {
    const token = await this.tokens.update(who, id, body, ifMatch);
    res.header('ETag', this.tokens.etag(token));
    return token;
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('tokens:write')
  @ApiOperation({ summary: 'Delete a token permanently' })
  @ApiForbiddenResponse({ description: IS_WIDER })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No such token in your organization' })
  async remove(@CurrentPrincipal() who: Principal, @Param('id', TokenId) id: string): Promise<void> {
    await this.tokens.remove(who, id);
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  @RequirePermission('tokens:write')
  @ApiOperation({ summary: 'Deactivate (reversible): the token stops working from the next request' })
  @ApiForbiddenResponse({ description: IS_WIDER })
  @ApiOkResponse({ type: TokenDto, headers: ETAG_HEADER })
  @ApiConflictResponse({ description: 'The token is revoked' })
  async deactivate(
    @CurrentPrincipal() who: Principal,
    @Param('id', TokenId) id: string,
    @Res({ passthrough: true }) res: HeaderSink,
  ): Promise<Token> {
    const token = await this.tokens.deactivate(who, id);
    res.header('ETag', this.tokens.etag(token));
    return token;
  }

  @Post(':id/activate')
  @HttpCode(200)
  @RequirePermission('tokens:write')
  @ApiOperation({ summary: 'Activate a deactivated token (not a revoked one)' })
  @ApiForbiddenResponse({ description: IS_WIDER })
  @ApiOkResponse({ type: TokenDto, headers: ETAG_HEADER })
  @ApiConflictResponse({ description: 'The token is revoked' })
  async activate(
    @CurrentPrincipal() who: Principal,
    @Param('id', TokenId) id: string,
    @Res({ passthrough: true }) res: HeaderSink,
  ): Promise<Token> {
    const token = await this.tokens.activate(who, id);
    res.header('ETag', this.tokens.etag(token));
    return token;
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @RequirePermission('tokens:write')
  @ApiOperation({ summary: 'Revoke (terminal): sets revokedAt and validTo to now' })
  @ApiForbiddenResponse({ description: IS_WIDER })
  @ApiOkResponse({ type: TokenDto, headers: ETAG_HEADER })
  @ApiConflictResponse({ description: 'Already revoked' })
  async revoke(
    @CurrentPrincipal() who: Principal,
    @Param('id', TokenId) id: string,
    @Res({ passthrough: true }) res: HeaderSink,
  ): Promise<Token> {
    const token = await this.tokens.revoke(who, id);
    res.header('ETag', this.tokens.etag(token));
    return token;
  }

  @Post(':id/regenerate')
  @HttpCode(200)
  @RequirePermission('tokens:write')
  @ApiOperation({ summary: 'Issue a new secret (returned once); graceSeconds keeps the old one working that long' })
  @ApiForbiddenResponse({ description: IS_WIDER })
  @ApiZodBody(regenerateTokenSchema, { required: false })
  @ApiBadRequestResponse({ description: 'Invalid body: application/problem+json naming each bad field' })
  @ApiOkResponse({ type: CreatedTokenDto, headers: ETAG_HEADER })
  @ApiConflictResponse({ description: 'The token is revoked' })
  async regenerate(
    @CurrentPrincipal() who: Principal,
    @Param('id', TokenId) id: string,
    @Body(new ZodValidationPipe(regenerateTokenSchema)) body: RegenerateTokenInput,
    @Res({ passthrough: true }) res: HeaderSink,
  ): Promise<CreatedToken> {
    const created = await this.tokens.regenerate(who, id, body ?? {});
    res.header('ETag', this.tokens.etag(created.token));
    return created;
  }
}
