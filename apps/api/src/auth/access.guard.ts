import { type CanActivate, type ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { accessDenied, type AccessDecision, type AccessDenial, decideAccess } from '@tessera/domain';
import { AuditService } from '../audit/audit.service';
import { CLOCK, type Clock } from '../common/clock';
import { ACCESS_METADATA, type AccessRequirement } from '../common/decorators';
import {
  AUDIT_PATH_MAX_LENGTH,
  CONTEXT_KEY,
  headerValue,
  type HttpRequestLike,
  PRINCIPAL_KEY,
  type RequestContext,
  rawRequestTarget,
  requestTarget,
  socketAddress,
} from '../common/http-request';
import type { Principal } from '../common/principal';
import { ProblemException } from '../common/problem';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Metrics } from '../metrics/metrics.service';
import type { PresentedCredential, VerifiedCredential } from '../credentials/credential';
import { Credentials } from '../credentials/credentials.service';
import { BearerStrategy } from './bearer.strategy';
import { compileTrust, type CompiledTrust, resolveClientIp } from './client-ip';
import { AuthFailureLimiter } from './failure-limiter';
import { UsageRecorder } from './usage-recorder';

const REALM = 'Bearer realm="tessera"';
type Req = HttpRequestLike & Record<string, unknown>;

/**
 * The one global guard (SPEC §5). Deny by default: a route passes without credentials only with
 * @Public(); a route with neither @Public, @Authenticated nor @RequirePermission is refused.
 * A straight path: the header is parsed by passport-http-bearer (the @nestjs/passport strategy
 * BearerStrategy, run once per request the way passport runs a strategy, see `authenticate`), the
 * secret goes to `Credentials.present` (one call: the compiled credential and its organization's
 * allowlist) and that answer to `decideAccess` from @tessera/domain (one call: every rule, the
 * grace-secret rule included). Nothing is stashed on the request for passport to read back; the
 * Principal is attached only for the handler. Answers (problem+json, RFC 6750 challenges):
 * no credentials 401; malformed header or token in the query string 400 invalid_request;
 * bad/unknown/revoked/inactive/pending/expired 401 invalid_token; IP/origin/endpoint 403;
 * missing permission 403 insufficient_scope. Repeated failures from one IP → 429 Retry-After.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger(AccessGuard.name);
  private readonly trust: CompiledTrust;

  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: Credentials,
    private readonly limiter: AuthFailureLimiter,
    private readonly usage: UsageRecorder,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly metrics: Metrics,
    private readonly strategy: BearerStrategy,
  ) {
    this.trust = compileTrust(config.trustProxy);
  }

  /**
   * Synchronous when the credential and its organization's allowlist are cached (or the secret is
   * malformed): no promise on the common path. Otherwise a promise, after one database read.
   */
  canActivate(ctx: ExecutionContext): boolean | Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Req>();
    const context = this.contextOf(req);
    req[CONTEXT_KEY] = context;

    const access = this.reflector.getAllAndOverride<AccessRequirement | undefined>(ACCESS_METADATA, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (!access) {
      this.logger.error(`${ctx.getClass().name}.${ctx.getHandler().name} has no access declaration; refused`);
      throw new ProblemException(403, 'Forbidden', 'This route declares no access rule and is closed');
    }
    if (access.kind === 'public') return true;

    const retryAfter = this.limiter.retryAfter(context.ip);
    if (retryAfter !== null) {
      this.metrics.authDenied('throttled');
      throw new ProblemException(429, 'Too Many Requests', 'Too many failed authentications from this address', undefined, {
        'retry-after': String(retryAfter),
      });
    }

    if (hasAccessToken(req.query)) {
      this.refuse(req, context, null, 'query_token');
      throw invalidRequest('Tokens in the query string are refused; send Authorization: Bearer <token>');
    }
    if (hasAccessToken(req.body)) {
      this.refuse(req, context, null, 'body_token');
      throw invalidRequest('Tokens in the request body are refused; send Authorization: Bearer <token>');
    }

    const secret = this.presentedSecret(req, context, this.authenticate(req));
    const presented = this.credentials.present(secret);
    if (presented instanceof Promise) return presented.then((p) => this.decide(req, context, access, p));
    return this.decide(req, context, access, presented);
  }

  /** The domain's decision on the presented credential: the Principal attached, or the refusal thrown. */
  private decide(req: Req, context: RequestContext, access: AccessRequirement, presented: PresentedCredential): true {
    const credential = presented.credential;
    // Endpoint rules see the request as the router routes it (HEAD as GET, case, escapes, //);
    // a target that cannot be read so is refused by decideAccess when the token has endpoint rules.
    const target = requestTarget(req);
    const now = this.clock.now();
    const denial: AccessDenial | null = !presented.wellFormed
      ? accessDenied('malformed')
      : denialOf(
          decideAccess(
            credential?.subject ?? null,
            {
              method: target?.method ?? req.method,
              path: target?.path ?? rawRequestTarget(req),
              target,
              ip: context.ip,
              origin: context.origin,
              requiredPermission: access.kind === 'permission' ? access.permission : null,
              now,
            },
            presented.orgAllowlist,
          ),
        );

    if (denial) {
      const countsAsFailure = denial.status === 401;
      this.refuse(req, context, presented, denial.reason, countsAsFailure, denial.scope);
      throw denialProblem(denial);
    }

    const c = credential as VerifiedCredential;
    const principal: Principal = {
      kind: c.kind === 'session' ? 'user' : 'token',
      id: c.principalId,
      name: c.name,
      organizationId: c.organizationId,
      organizationName: c.organizationName,
      organizationIsRoot: c.organizationIsRoot,
      permissions: c.subject.rules.permissions,
      permissionList: c.permissionList,
      allowedIps: c.allowedIps,
      validTo: c.validTo,
      ip: context.ip,
      userAgent: context.userAgent,
    };
    if (c.kind === 'session') principal.sessionId = c.id;
    else principal.tokenId = c.id;
    req[PRINCIPAL_KEY] = principal;
    this.usage.touch(c.kind, c.id, context.ip, now);
    this.metrics.authAllowed();
    return true;
  }

  /**
   * Runs passport-http-bearer's `authenticate` once for this request, as passport itself runs a
   * strategy (a per-request object over the strategy with success/fail/error), without passport's
   * and @nestjs/passport's per-request wrappers. Its verify callback hands the parsed secret
   * straight back, as BearerStrategy.validate does, but synchronously (@nestjs/passport's own
   * callback is async): the strategy answers before `authenticate` returns, so no promise is made.
   */
  private authenticate(req: Req): BearerOutcome {
    let outcome: BearerOutcome | undefined;
    let failure: unknown;
    const run = Object.create(this.strategy) as StrategyRun;
    run._verify = (secret, done) => done(null, secret);
    run.success = (user) => {
      outcome = { user };
    };
    run.fail = (challenge, status) => {
      outcome = { user: null, status: typeof challenge === 'number' ? challenge : status };
    };
    run.error = (err) => {
      failure = err;
    };
    run.authenticate(req, { session: false });
    if (failure !== undefined) throw failure;
    if (outcome === undefined) throw new Error('passport-http-bearer did not answer synchronously');
    return outcome;
  }

  /** The strategy's outcome: the presented secret, or the header-level failure (thrown). */
  private presentedSecret(req: Req, context: RequestContext, outcome: BearerOutcome): string {
    if (outcome.user !== null) return outcome.user;
    if (outcome.status === 400) {
      this.refuse(req, context, null, 'invalid_request');
      throw invalidRequest('The Authorization header is malformed; expected "Bearer <token>"');
    }
    this.metrics.authDenied('no_credentials');
    throw new ProblemException(401, 'Unauthorized', 'Authentication required: send Authorization: Bearer <token>', undefined, {
      'www-authenticate': REALM,
    });
  }

  private contextOf(req: Req): RequestContext {
    const existing = req[CONTEXT_KEY] as RequestContext | undefined;
    if (existing) return existing;
    return {
      ip: resolveClientIp(socketAddress(req), headerValue(req, 'x-forwarded-for'), this.trust),
      userAgent: headerValue(req, 'user-agent')?.slice(0, 500) ?? null,
      origin: headerValue(req, 'origin') ?? null,
    };
  }

  /** Audits a refused authentication (batched) and counts it against the IP when it is a failure. */
  private refuse(
    req: Req,
    context: RequestContext,
    presented: PresentedCredential | null,
    reason: string,
    countsAsFailure = true,
    scope?: string,
  ): void {
    this.metrics.authDenied(reason);
    if (countsAsFailure) this.limiter.recordFailure(context.ip);
    const c = presented?.credential ?? null;
    // The canonical path (as routed), at most 512 characters: a long target cannot bloat audit rows.
    const path = requestTarget(req)?.path ?? rawRequestTarget(req).split('?')[0] ?? '';
    const details: Record<string, unknown> = { method: String(req.method).slice(0, 20), path: path.slice(0, AUDIT_PATH_MAX_LENGTH) };
    if (scope) details['scope'] = scope;
    if (presented?.hint) details['hint'] = presented.hint;
    if (context.origin) details['origin'] = context.origin.slice(0, 300);
    this.audit.recordDenied({
      organizationId: c?.organizationId ?? null,
      actor: c ? { kind: c.kind === 'session' ? 'user' : 'token', id: c.principalId, name: c.name } : null,
      action: 'auth.denied',
      targetType: c ? c.kind : null,
      targetId: c ? c.id : null,
      targetName: c && c.kind === 'token' ? c.name : null,
      ip: context.ip,
      userAgent: context.userAgent,
      outcome: 'failure',
      reason,
      details,
    });
  }
}

/** What passport-http-bearer reports: the presented secret (success), or a failure with its status. */
interface BearerOutcome {
  user: string | null;
  /** 400 for a malformed header; undefined when there is no bearer credential. */
  status?: number;
}

/** A per-request view of the strategy with passport's action functions. */
type StrategyRun = BearerStrategy & {
  _verify(secret: string, done: (err: unknown, user: string) => void): void;
  success(user: string): void;
  fail(challenge?: unknown, status?: number): void;
  error(err: unknown): void;
  authenticate(req: unknown, options: { session: boolean }): void;
};

function denialOf(decision: AccessDecision): AccessDenial | null {
  return decision.allowed ? null : decision;
}

function hasAccessToken(source: unknown): boolean {
  return typeof source === 'object' && source !== null && 'access_token' in source;
}

function invalidRequest(detail: string): ProblemException {
  return new ProblemException(400, 'Bad Request', detail, undefined, {
    'www-authenticate': `${REALM}, error="invalid_request", error_description="${detail.replace(/"/g, "'")}"`,
  });
}

function denialProblem(d: AccessDenial): ProblemException {
  if (d.status === 401) {
    return new ProblemException(401, 'Unauthorized', 'The access token is invalid, expired or revoked', undefined, {
      'www-authenticate': `${REALM}, error="invalid_token", error_description="The access token is invalid, expired or revoked"`,
    });
  }
  if (d.error === 'insufficient_scope') {
    return new ProblemException(403, 'Forbidden', d.message, undefined, {
      'www-authenticate': `${REALM}, error="insufficient_scope", scope="${d.scope ?? ''}"`,
    });
  }
  return new ProblemException(403, 'Forbidden', d.message);
}
