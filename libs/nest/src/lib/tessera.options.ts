import type { GuardedRequest } from './http-request.js';
import type { TesseraVerifierOptions } from './tessera-verifier.js';

export const TESSERA_OPTIONS = Symbol('TESSERA_OPTIONS');

export interface TesseraModuleOptions extends TesseraVerifierOptions {
  /**
   * Guard every route (default true): a route needs `@RequirePermission`, `@Authenticated` or
   * `@Public`. false: use `@UseGuards(TesseraGuard)` where wanted.
   */
  global?: boolean;
  /** The client address of a request (default: the socket's peer). Behind your proxy, resolve it here. */
  clientIp?: (request: GuardedRequest) => string;
  /** `WWW-Authenticate: Bearer realm="…"` (default `tessera`). */
  realm?: string;
}
