import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { isValidPermission } from '@tessera/domain';
import { CONTEXT_KEY, PRINCIPAL_KEY, type RequestContext } from './http-request';
import type { Principal } from './principal';
import { ProblemException } from './problem';

/** What a route needs. A route (or its controller) without any of these fails closed. */
export type AccessRequirement =
  | { kind: 'public' }
  | { kind: 'authenticated' }
  | { kind: 'permission'; permission: string };

export const ACCESS_METADATA = 'tessera:access';

/** No authentication at all (login, health). */
export const Public = () => SetMetadata(ACCESS_METADATA, { kind: 'public' } satisfies AccessRequirement);

/** Any valid principal (session or token), no permission needed (e.g. auth/me). */
export const Authenticated = () =>
  applyDecorators(
    SetMetadata(ACCESS_METADATA, { kind: 'authenticated' } satisfies AccessRequirement),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No, malformed or invalid bearer token (problem+json)' }),
    ApiForbiddenResponse({ description: 'IP, origin or endpoint not allowed (problem+json)' }),
  );

/** The principal must hold this permission, e.g. `@RequirePermission('tokens:write')`. */
export const RequirePermission = (permission: string) => {
  if (!isValidPermission(permission)) throw new Error(`@RequirePermission: invalid permission '${permission}'`);
  return applyDecorators(
    SetMetadata(ACCESS_METADATA, { kind: 'permission', permission } satisfies AccessRequirement),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No, malformed or invalid bearer token (problem+json)' }),
    ApiForbiddenResponse({ description: `IP, origin or endpoint not allowed, or missing permission ${permission}` }),
  );
};

/** The authenticated caller. Only on routes with @Authenticated or @RequirePermission. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<Record<string, unknown>>();
  const principal = req[PRINCIPAL_KEY] as Principal | undefined;
  if (!principal) throw new ProblemException(401, 'Unauthorized', 'Authentication required');
  return principal;
});

/** Client IP (per TRUST_PROXY), user agent and origin; available on every route, public ones too. */
export const CurrentRequestContext = createParamDecorator((_data: unknown, ctx: ExecutionContext): RequestContext => {
  const req = ctx.switchToHttp().getRequest<Record<string, unknown>>();
  const context = req[CONTEXT_KEY] as RequestContext | undefined;
  if (!context) throw new Error('Request context missing: the global guard did not run');
  return context;
});
