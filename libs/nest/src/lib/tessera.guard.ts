import { type CanActivate, type ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { isWellFormedTokenSecret, TOKEN_PREFIX } from '@tessera/domain';
import { TESSERA_ACCESS, type TesseraAccess, VERIFIED_TOKENS } from './access.decorators.js';
import { type GuardedRequest, header, requestTarget, socketAddress } from './http-request.js';
import { setHeaders, TesseraRefusal } from './problems.js';
import { TESSERA_OPTIONS, type TesseraModuleOptions } from './tessera.options.js';
import { TesseraVerifier } from './tessera-verifier.js';

/**
 * Checks the bearer token of each request with Tessera (RFC 6750 answers, problem bodies):
 * no `Authorization: Bearer` → 401 with a challenge; a malformed header → 400 invalid_request; a
 * token that fails its format check, or that Tessera does not report active → 401 invalid_token;
 * IP, origin or endpoint not allowed (the token's rules and the organization's allowlist, decided
 * by Tessera for this request) → 403; missing permission → 403 insufficient_scope; Tessera
 * unreachable → 503 with Retry-After (never a 401: a good token is not called bad). A route
 * without `@RequirePermission`, `@Authenticated` or `@Public` is refused (deny by default).
 */
@Injectable()
export class TesseraGuard implements CanActivate {
  private readonly logger = new Logger(TesseraGuard.name);
  private readonly challenge: string;

  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TesseraVerifier,
    @Inject(TESSERA_OPTIONS) private readonly options: TesseraModuleOptions,
  ) {
    this.challenge = `Bearer realm="${(options.realm ?? 'tessera').replace(/["\\]/g, '')}"`;
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<TesseraAccess | undefined>(TESSERA_ACCESS, [ctx.getHandler(), ctx.getClass()]);
    if (ctx.getType() !== 'http') return access?.kind === 'public';
    const http = ctx.switchToHttp();
    const req = http.getRequest<GuardedRequest & object>();
    const refuse = (refusal: TesseraRefusal): never => {
      setHeaders(http.getResponse(), refusal.headers);
      throw refusal;
    };
    if (!access) {
      this.logger.error(`${ctx.getClass().name}.${ctx.getHandler().name} declares no access rule; refused`);
      return refuse(new TesseraRefusal(403, 'This route declares no access rule and is closed'));
    }
    if (access.kind === 'public') return true;

    const authorization = header(req, 'authorization');
    if (authorization === undefined || !/^bearer(\s|$)/i.test(authorization)) {
      return refuse(new TesseraRefusal(401, 'A bearer token is required', { 'www-authenticate': this.challenge }));
    }
    const match = /^bearer +([^\s]+) *$/i.exec(authorization);
    if (!match) {
      return refuse(new TesseraRefusal(400, 'The Authorization header is malformed', { 'www-authenticate': `${this.challenge}, error="invalid_request"` }));
    }
    const secret = match[1] as string;
    const invalid = (): never =>
      refuse(new TesseraRefusal(401, 'The token is invalid, expired or revoked', { 'www-authenticate': `${this.challenge}, error="invalid_token"` }));
    // A mistyped or forged secret fails its checksum here, without asking Tessera.
    if (!isWellFormedTokenSecret(secret, TOKEN_PREFIX)) return invalid();

    const permission = access.kind === 'permission' ? access.permission : null;
    const origin = header(req, 'origin') ?? null;
    const ip = this.options.clientIp ? this.options.clientIp(req) : socketAddress(req);
    const verdict = await this.verifier.verify(secret, { method: req.method, path: requestTarget(req), ip, origin }, permission);
    switch (verdict.kind) {
      case 'allowed':
        VERIFIED_TOKENS.set(req, verdict.token);
        return true;
      case 'inactive':
        return invalid();
      case 'denied': {
        const challenge =
          verdict.error === 'insufficient_scope' ? `${this.challenge}, error="insufficient_scope", scope="${verdict.scope ?? permission ?? ''}"` : null;
        return refuse(new TesseraRefusal(403, verdict.message, challenge ? { 'www-authenticate': challenge } : {}));
      }
      case 'unavailable':
        this.logger.warn(`Tessera could not be asked: ${verdict.message}`);
        return refuse(new TesseraRefusal(503, 'The token cannot be checked right now', { 'retry-after': '1' }));
    }
  }
}
