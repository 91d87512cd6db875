import type { AccessSubject, IpMatcher } from '@tessera/domain';

/** Everything a decision needs about a token or a session, compiled once (cacheable as is). */
export interface VerifiedCredential {
  kind: 'token' | 'session';
  /** Token id, or session id. */
  id: string;
  /** Token id, or the session's user id. */
  principalId: string;
  name: string;
  organizationId: string;
  organizationName: string;
  organizationIsRoot: boolean;
  /** The token's role, or the session user's role (a role edit must reach this credential). */
  roleId: string | null;
  /**
   * Status fields, compiled rules and (for a token's previous secret) `graceUntil`, as
   * decideAccess and presentedStatus want them.
   */
  subject: AccessSubject;
  permissionList: string[];
  /** The token's own allowedIps ([] for sessions). */
  allowedIps: string[];
  validTo: Date | null;
  /** When the token (or the session) was created. */
  issuedAt: Date;
  hint: string;
}

/** What a presented secret resolved to: everything the guard hands to decideAccess. */
export interface PresentedCredential {
  /** False when the secret fails the format/checksum check (no lookup was made). */
  wellFormed: boolean;
  /** SHA-256 hex of the secret (only when well formed). Never log the secret itself. */
  hash: string | null;
  /** 'tsr_AbCd…wxYz' for well-formed secrets. */
  hint: string | null;
  /** null: malformed, or no token or session has this secret. */
  credential: VerifiedCredential | null;
  /** The credential's organization's IP allowlist (empty when there is no credential). */
  orgAllowlist: IpMatcher;
}
