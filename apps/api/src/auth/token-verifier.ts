import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  type AccessSubject,
  compileAccessRules,
  createIpMatcher,
  type IpMatcher,
  SESSION_PREFIX,
  TOKEN_PREFIX,
} from '@tessera/domain';
import { DataSource } from 'typeorm';

/** Everything the guard needs about a presented secret, compiled once (cacheable as is). */
export interface VerifiedCredential {
  kind: 'token' | 'session';
  /** Token id, or session id. */
  id: string;
  /** Token id, or the session's user id. */
  principalId: string;
  name: string;
  organizationId: string;
  organizationIsRoot: boolean;
  /** Status fields and compiled rules, as decideAccess wants them. */
  subject: AccessSubject;
  permissionList: string[];
  /** The token's own allowedIps ([] for sessions). */
  allowedIps: string[];
  validTo: Date | null;
  hint: string;
  /**
   * Set when the secret is a token's previous secret (regenerate with grace): it is valid only
   * before this instant. null for current secrets.
   */
  graceUntil: Date | null;
}

interface TokenRow {
  id: string;
  name: string;
  organization_id: string;
  is_root: boolean;
  active: boolean;
  revoked_at: Date | null;
  valid_from: Date | null;
  valid_to: Date | null;
  scopes: string[];
  allowed_ips: string[];
  blocked_ips: string[];
  allowed_endpoints: string[];
  blocked_endpoints: string[];
  allowed_origins: string[];
  role_permissions: string[] | null;
  hint: string;
  is_current: boolean;
  previous_secret_valid_until: Date | null;
}

interface SessionRow {
  id: string;
  user_id: string;
  organization_id: string;
  is_root: boolean;
  expires_at: Date;
  ended_at: Date | null;
  created_at: Date;
  user_active: boolean;
  display_name: string;
  permissions: string[];
}

/**
 * Secret hash → compiled credential, and organization → compiled IP allowlist.
 * The one place the guard reads credentials from; this version asks the database every time.
 * A cache (LRU + LISTEN/NOTIFY) can wrap these two methods without touching the guard;
 * ChangeNotifier.onCommitted tells it what changed on this instance.
 */
@Injectable()
export class TokenVerifier {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** `secret` must be well formed (checksum already verified). `hash` is its SHA-256 hex. */
  async lookup(secret: string, hash: string): Promise<VerifiedCredential | null> {
    if (secret.startsWith(`${TOKEN_PREFIX}_`)) return this.lookupToken(hash);
    if (secret.startsWith(`${SESSION_PREFIX}_`)) return this.lookupSession(hash);
    return null;
  }

  async orgAllowlist(organizationId: string): Promise<IpMatcher> {
    const rows: { cidr: string }[] = await this.dataSource.query(
      'SELECT cidr FROM org_ip_allowlist_entries WHERE organization_id = $1',
      [organizationId],
    );
    return createIpMatcher(rows.map((r) => r.cidr));
  }

  private async lookupToken(hash: string): Promise<VerifiedCredential | null> {
    const rows: TokenRow[] = await this.dataSource.query(
      `SELECT t.id, t.name, t.organization_id, o.is_root, t.active, t.revoked_at, t.valid_from, t.valid_to,
              t.scopes, t.allowed_ips, t.blocked_ips, t.allowed_endpoints, t.blocked_endpoints, t.allowed_origins,
              r.permissions AS role_permissions, t.hint, (t.secret_hash = $1) AS is_current, t.previous_secret_valid_until
         FROM tokens t
         JOIN organizations o ON o.id = t.organization_id
         LEFT JOIN roles r ON r.id = t.role_id
        WHERE t.secret_hash = $1 OR t.previous_secret_hash = $1
        LIMIT 1`,
      [hash],
    );
    const row = rows[0];
    if (!row) return null;
    const permissions = [...new Set([...(row.role_permissions ?? []), ...row.scopes])];
    return {
      kind: 'token',
      id: row.id,
      principalId: row.id,
      name: row.name,
      organizationId: row.organization_id,
      organizationIsRoot: row.is_root,
      subject: {
        active: row.active,
        revokedAt: row.revoked_at,
        validFrom: row.valid_from,
        validTo: row.valid_to,
        rules: compileAccessRules({
          permissions,
          allowedIps: row.allowed_ips,
          blockedIps: row.blocked_ips,
          allowedEndpoints: row.allowed_endpoints,
          blockedEndpoints: row.blocked_endpoints,
          allowedOrigins: row.allowed_origins,
        }),
      },
      permissionList: permissions,
      allowedIps: row.allowed_ips,
      validTo: row.valid_to,
      hint: row.hint,
      graceUntil: row.is_current ? null : (row.previous_secret_valid_until ?? new Date(0)),
    };
  }

  private async lookupSession(hash: string): Promise<VerifiedCredential | null> {
    const rows: SessionRow[] = await this.dataSource.query(
      `SELECT s.id, s.user_id, s.organization_id, o.is_root, s.expires_at, s.ended_at, s.created_at,
              u.active AS user_active, u.display_name, r.permissions
         FROM sessions s
         JOIN users u ON u.id = s.user_id
         JOIN roles r ON r.id = u.role_id
         JOIN organizations o ON o.id = s.organization_id
        WHERE s.secret_hash = $1`,
      [hash],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      kind: 'session',
      id: row.id,
      principalId: row.user_id,
      name: row.display_name,
      organizationId: row.organization_id,
      organizationIsRoot: row.is_root,
      // A session maps onto token status: ended → revoked, user deactivated → inactive, past expiry → expired.
      subject: {
        active: row.user_active,
        revokedAt: row.ended_at,
        validFrom: null,
        validTo: row.expires_at,
        rules: compileAccessRules({ permissions: row.permissions }),
      },
      permissionList: row.permissions,
      allowedIps: [],
      validTo: row.expires_at,
      hint: 'tss_…',
      graceUntil: null,
    };
  }
}
