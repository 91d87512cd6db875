import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { isValidPermission } from '@tessera/domain';
import type { TesseraTokenInfo } from './decision-cache.js';

/** What a route needs. With the global guard, a route (or controller) declaring none is refused. */
export type TesseraAccess = { kind: 'public' } | { kind: 'authenticated' } | { kind: 'permission'; permission: string };

export const TESSERA_ACCESS = 'tessera:nest:access';

/** The presented Tessera token must hold `permission` (e.g. `orders:read`), as Tessera decides it. */
export const RequirePermission = (permission: string): MethodDecorator & ClassDecorator => {
  if (!isValidPermission(permission)) throw new Error(`@RequirePermission: invalid permission '${permission}' (resource:action)`);
  return SetMetadata(TESSERA_ACCESS, { kind: 'permission', permission } satisfies TesseraAccess);
};

/** Any token Tessera reports active (its IP, endpoint and origin rules still hold). */
export const Authenticated = (): MethodDecorator & ClassDecorator => SetMetadata(TESSERA_ACCESS, { kind: 'authenticated' } satisfies TesseraAccess);

/** No token needed (health checks). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(TESSERA_ACCESS, { kind: 'public' } satisfies TesseraAccess);

/** Tokens the guard let through, by request (nothing else is put on the request). */
export const VERIFIED_TOKENS = new WeakMap<object, TesseraTokenInfo>();

/** The token the guard let through: `@TesseraToken() token: TesseraTokenInfo`. */
export const TesseraToken = createParamDecorator((_data: unknown, ctx: ExecutionContext): TesseraTokenInfo => {
  const token = VERIFIED_TOKENS.get(ctx.switchToHttp().getRequest<object>());
  if (!token) throw new Error('@TesseraToken() on a route the Tessera guard did not let a token through');
  return token;
});
