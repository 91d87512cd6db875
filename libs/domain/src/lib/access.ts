import { createEndpointMatcher, type EndpointMatcher } from './endpoints';
import { createIpMatcher, isValidIp, type IpMatcher } from './ip';
import { canonicalRequestTarget, type RequestTarget } from './request-target';
import { createOriginMatcher, type OriginMatcher } from './origins';
import { compilePermissions, type PermissionSet } from './permissions';
import { tokenStatus, type StatusFields, type TokenStatus } from './status';

export interface AccessRulesInput {
  /** role permissions ∪ scopes (sessions: the user's role permissions) */
  permissions: readonly string[];
  allowedIps?: readonly string[];
  blockedIps?: readonly string[];
  allowedEndpoints?: readonly string[];
  blockedEndpoints?: readonly string[];
  allowedOrigins?: readonly string[];
}

/** Everything a decision needs, compiled once per token (keep it in the cache). */
export interface CompiledAccessRules {
  permissions: PermissionSet;
  allowedIps: IpMatcher;
  blockedIps: IpMatcher;
  allowedEndpoints: EndpointMatcher;
  blockedEndpoints: EndpointMatcher;
  allowedOrigins: OriginMatcher;
}

/** Compiles a token's rules. Throws when a stored rule is invalid. */
export function compileAccessRules(input: AccessRulesInput): CompiledAccessRules {
  return {
    permissions: compilePermissions(input.permissions),
    allowedIps: createIpMatcher(input.allowedIps ?? []),
    blockedIps: createIpMatcher(input.blockedIps ?? []),
    allowedEndpoints: createEndpointMatcher(input.allowedEndpoints ?? []),
    blockedEndpoints: createEndpointMatcher(input.blockedEndpoints ?? []),
    allowedOrigins: createOriginMatcher(input.allowedOrigins ?? []),
  };
}

export interface AccessSubject extends GraceFields {
  rules: CompiledAccessRules;
}

export interface GraceFields extends StatusFields {
  /**
   * Set when the presented secret is the token's previous one (regenerate with `graceSeconds`):
   * it works strictly before this instant. null (or absent) for a current secret.
   */
  graceUntil?: Date | null;
}

/**
 * What a presented secret stands for at `now`: `unknown` once it is a previous secret whose grace
 * has run out (exactly like a secret that matches nothing), else the token's status. The guard
 * (through decideAccess), introspection and explain all ask this.
 */
export function presentedStatus(subject: GraceFields, now: Date): TokenStatus | 'unknown' {
  const until = subject.graceUntil;
  if (until !== null && until !== undefined && !(now.getTime() < until.getTime())) return 'unknown';
  return tokenStatus(subject, now);
}

export interface AccessRequest {
  /** as sent; HEAD is checked as GET */
  method: string;
  /**
   * the request target as on the request line (a query string is ignored); compared in its
   * canonical form (canonicalRequestTarget). When it cannot be parsed and the token has endpoint
   * rules, the request is refused.
   */
  path: string;
  /**
   * `canonicalRequestTarget(method, path)` when the caller has already computed it (the api parses
   * each request's target once); when given it is used as is, so it must be exactly that.
   */
  target?: RequestTarget | null;
  /** client IP (after trusted-proxy resolution) */
  ip: string;
  /** the `Origin` header, when the request carries one */
  origin?: string | null;
  /** null = the route needs only authentication */
  requiredPermission: string | null;
  now: Date;
}

/** Every reason a request can be refused. */
export const DENY_REASONS = [
  'malformed',
  'unknown',
  'revoked',
  'inactive',
  'pending',
  'expired',
  'org_ip_not_allowed',
  'ip_blocked',
  'ip_not_allowed',
  'origin_not_allowed',
  'endpoint_blocked',
  'endpoint_not_allowed',
  'missing_permission',
] as const;
export type DenyReason = (typeof DENY_REASONS)[number];

export type AccessStepName =
  'format' | 'lookup' | 'status' | 'org_ip' | 'ip' | 'origin' | 'endpoint' | 'permission';

export interface AccessStep {
  step: AccessStepName;
  ok: boolean;
  detail: string;
}

export type AccessDecision =
  | { allowed: true; steps: AccessStep[] }
  | {
      allowed: false;
      status: 401 | 403;
      error: 'invalid_token' | 'insufficient_scope' | null;
      reason: DenyReason;
      scope?: string;
      message: string;
      steps: AccessStep[];
    };

export type AccessDenial = Extract<AccessDecision, { allowed: false }>;

/** The HTTP answer and a human message for each reason (one entry per reason, checked by the compiler). */
export const DENY_RESPONSES: Readonly<
  Record<
    DenyReason,
    { status: 401 | 403; error: 'invalid_token' | 'insufficient_scope' | null; message: string }
  >
> = {
  malformed: {
    status: 401,
    error: 'invalid_token',
    message: 'The token is malformed or its checksum is wrong',
  },
  unknown: { status: 401, error: 'invalid_token', message: 'The token is unknown' },
  revoked: { status: 401, error: 'invalid_token', message: 'The token has been revoked' },
  inactive: { status: 401, error: 'invalid_token', message: 'The token is deactivated' },
  pending: { status: 401, error: 'invalid_token', message: 'The token is not valid yet' },
  expired: { status: 401, error: 'invalid_token', message: 'The token has expired' },
  org_ip_not_allowed: {
    status: 403,
    error: null,
    message: "The client IP address is not in the organization's IP allowlist",
  },
  ip_blocked: {
    status: 403,
    error: null,
    message: "The client IP address is in the token's blocked IP list",
  },
  ip_not_allowed: {
    status: 403,
    error: null,
    message: "The client IP address is not in the token's allowed IP list",
  },
  origin_not_allowed: {
    status: 403,
    error: null,
    message: "The request origin is not in the token's allowed origins",
  },
  endpoint_blocked: {
    status: 403,
    error: null,
    message: "The endpoint is in the token's blocked endpoints",
  },
  endpoint_not_allowed: {
    status: 403,
    error: null,
    message: "The endpoint is not in the token's allowed endpoints",
  },
  missing_permission: {
    status: 403,
    error: 'insufficient_scope',
    message: 'The token lacks the required permission',
  },
};

/** The deny reason for each status but active (checked by the compiler). */
export const STATUS_DENY_REASONS: Readonly<Record<Exclude<TokenStatus, 'active'>, DenyReason>> = {
  revoked: 'revoked',
  inactive: 'inactive',
  pending: 'pending',
  expired: 'expired',
};

/** A refusal for `reason`, e.g. `accessDenied('malformed')` when the secret fails its checksum. */
export function accessDenied(
  reason: DenyReason,
  scope?: string,
  steps: AccessStep[] = [],
): AccessDenial {
  const r = DENY_RESPONSES[reason];
  const denial: AccessDenial = {
    allowed: false,
    status: r.status,
    error: r.error,
    reason,
    message: r.message,
    steps,
  };
  if (reason === 'missing_permission' && scope !== undefined) {
    denial.scope = scope;
    denial.message = `The token lacks the permission "${scope}"`;
  }
  return denial;
}

function addStep(steps: AccessStep[], step: AccessStepName, ok: boolean, detail: string): void {
  steps.push({ step, ok, detail });
}

/**
 * The one access decision (SPEC §5), in order: a lapsed grace secret (unknown), status, org IP allowlist, token
 * IP rules (blocked wins; empty allowed list = any address), origin (only when
 * the request has one), endpoint rules (blocked wins; empty allowed list = all),
 * permission. An address that cannot be parsed fails every IP rule that exists; a request target
 * that cannot be parsed fails whenever an endpoint rule exists. Endpoint rules see the canonical
 * (method, path) the router routes (request-target.ts).
 * `orgAllowlist` with size 0 means no organization restriction. Steps are
 * recorded only with `explain: true`.
 */
export function decideAccess(
  subject: AccessSubject | null,
  request: AccessRequest,
  orgAllowlist: IpMatcher,
  options?: { explain?: boolean },
): AccessDecision {
  const explain = options?.explain === true;
  const steps: AccessStep[] = [];

  if (subject === null) {
    if (explain) addStep(steps, 'lookup', false, 'No token with this secret or id exists');
    return accessDenied('unknown', undefined, steps);
  }
  const status = presentedStatus(subject, request.now);
  if (status === 'unknown') {
    if (explain)
      addStep(
        steps,
        'lookup',
        false,
        "The secret is the token's previous one and its grace period is over",
      );
    return accessDenied('unknown', undefined, steps);
  }
  if (explain) addStep(steps, 'lookup', true, 'The token exists');

  if (status !== 'active') {
    const reason = STATUS_DENY_REASONS[status];
    if (explain) addStep(steps, 'status', false, DENY_RESPONSES[reason].message);
    return accessDenied(reason, undefined, steps);
  }
  if (explain) addStep(steps, 'status', true, 'The token is active');

  const { ip } = request;
  if (orgAllowlist.size > 0) {
    if (!orgAllowlist.matches(ip)) {
      if (explain)
        addStep(steps, 'org_ip', false, `${ip} is not in the organization's IP allowlist`);
      return accessDenied('org_ip_not_allowed', undefined, steps);
    }
    if (explain) addStep(steps, 'org_ip', true, `${ip} is in the organization's IP allowlist`);
  } else if (explain) {
    addStep(steps, 'org_ip', true, 'The organization has no IP allowlist');
  }

  const rules = subject.rules;
  if (rules.blockedIps.size > 0 && (rules.blockedIps.matches(ip) || !isValidIp(ip))) {
    if (explain) addStep(steps, 'ip', false, `${ip} is blocked by the token's blocked IP list`);
    return accessDenied('ip_blocked', undefined, steps);
  }
  if (rules.allowedIps.size > 0) {
    if (!rules.allowedIps.matches(ip)) {
      if (explain) addStep(steps, 'ip', false, `${ip} is not in the token's allowed IP list`);
      return accessDenied('ip_not_allowed', undefined, steps);
    }
    if (explain) addStep(steps, 'ip', true, `${ip} is in the token's allowed IP list`);
  } else if (explain) {
    addStep(steps, 'ip', true, `${ip} is not blocked and the token allows any address`);
  }

  const origin = request.origin;
  if (origin !== undefined && origin !== null && rules.allowedOrigins.size > 0) {
    if (!rules.allowedOrigins.matches(origin)) {
      if (explain)
        addStep(steps, 'origin', false, `Origin ${origin} is not in the token's allowed origins`);
      return accessDenied('origin_not_allowed', undefined, steps);
    }
    if (explain) addStep(steps, 'origin', true, `Origin ${origin} is allowed`);
  } else if (explain) {
    addStep(
      steps,
      'origin',
      true,
      origin === undefined || origin === null
        ? 'The request has no Origin header'
        : 'The token allows any origin',
    );
  }

  const hasEndpointRules = rules.blockedEndpoints.size > 0 || rules.allowedEndpoints.size > 0;
  // (Without endpoint rules the path matters only to the explanation: no parsing on the hot path.)
  const target =
    !hasEndpointRules && !explain
      ? null
      : request.target !== undefined
        ? request.target
        : canonicalRequestTarget(request.method, request.path);
  if (!hasEndpointRules && !explain) {
    // nothing to check
  } else if (target === null) {
    // Not a target the router routes as given (absolute form, dot segments, bad escapes): with
    // endpoint rules there is no telling which route it reaches, so it is refused.
    const shown = `${String(request.method).slice(0, 20)} ${String(request.path).slice(0, 200)}`;
    if (hasEndpointRules) {
      const reason = rules.blockedEndpoints.size > 0 ? 'endpoint_blocked' : 'endpoint_not_allowed';
      if (explain)
        addStep(
          steps,
          'endpoint',
          false,
          `${shown} cannot be parsed as a request path and the token has endpoint rules`,
        );
      return accessDenied(reason, undefined, steps);
    }
    if (explain) addStep(steps, 'endpoint', true, `${shown}: the token has no endpoint rules`);
  } else {
    const shown = `${target.method} ${target.path}`;
    if (rules.blockedEndpoints.size > 0 && rules.blockedEndpoints.matchesTarget(target)) {
      if (explain)
        addStep(steps, 'endpoint', false, `${shown} is in the token's blocked endpoints`);
      return accessDenied('endpoint_blocked', undefined, steps);
    }
    if (rules.allowedEndpoints.size > 0) {
      if (!rules.allowedEndpoints.matchesTarget(target)) {
        if (explain)
          addStep(steps, 'endpoint', false, `${shown} is not in the token's allowed endpoints`);
        return accessDenied('endpoint_not_allowed', undefined, steps);
      }
      if (explain) addStep(steps, 'endpoint', true, `${shown} is in the token's allowed endpoints`);
    } else if (explain) {
      addStep(
        steps,
        'endpoint',
        true,
        `${shown} is not blocked and the token allows every endpoint`,
      );
    }
  }

  const required = request.requiredPermission;
  if (required !== null) {
    if (!rules.permissions.grants(required)) {
      if (explain)
        addStep(steps, 'permission', false, `The token lacks the permission "${required}"`);
      return accessDenied('missing_permission', required, steps);
    }
    if (explain) addStep(steps, 'permission', true, `The token holds "${required}"`);
  } else if (explain) {
    addStep(steps, 'permission', true, 'The route needs no permission');
  }

  return { allowed: true, steps };
}
