import type { AccessDecision, DenyReason } from './access';

/**
 * The access decision POST /introspect adds when asked about a request (method, path, ip, …):
 * what Tessera's own guard would answer for it, without the explanation steps.
 */
export type IntrospectionDecision =
  | { allowed: true }
  | {
      allowed: false;
      status: 401 | 403;
      error: 'invalid_token' | 'insufficient_scope' | null;
      reason: DenyReason;
      /** The missing permission (reason missing_permission). */
      scope?: string;
      message: string;
    };

/** The decision as introspection reports it (the steps stay in Tessera). */
export function introspectionDecision(decision: AccessDecision): IntrospectionDecision {
  if (decision.allowed) return { allowed: true };
  const { status, error, reason, scope, message } = decision;
  return { allowed: false, status, error, reason, ...(scope === undefined ? {} : { scope }), message };
}
