import type { Actor, PermissionSet } from '@tessera/domain';

/** Who is calling: a logged-in user (session) or an API token. Set by the global guard. */
export interface Principal {
  kind: 'user' | 'token';
  /** User id for sessions, token id for tokens. */
  id: string;
  name: string;
  organizationId: string;
  /** The organization's name (from the guard's cached credential, so `auth/me` needs no query). */
  organizationName?: string;
  /** True when the caller belongs to the first organization (may create organizations). */
  organizationIsRoot: boolean;
  permissions: PermissionSet;
  permissionList: string[];
  /** The token's own allowedIps ([] for sessions). */
  allowedIps: string[];
  /** The token's validTo, or the session's expiry. */
  validTo: Date | null;
  /** For sessions: the session id. */
  sessionId?: string;
  /** For tokens: the token id (same as id). */
  tokenId?: string;
  /** Client IP as resolved under TRUST_PROXY. */
  ip: string;
  userAgent: string | null;
}

export function actorOf(p: Principal): Actor {
  return { kind: p.kind, id: p.id, name: p.name };
}
