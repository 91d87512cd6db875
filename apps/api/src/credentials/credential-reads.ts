import { type CatalogResource, compileAccessRules, createIpMatcher, effectivePermissions, type IpMatcher } from '@tessera/domain';
import type { VerifiedCredential } from './credential';

/** What the reads need of a DataSource or an EntityManager. */
export interface Queryable {
  query<T = unknown>(sql: string, parameters?: unknown[]): Promise<T>;
}

interface TokenRow {
  id: string;
  name: string;
  organization_id: string;
  organization_name: string;
  is_root: boolean;
  role_id: string | null;
  active: boolean;
  revoked_at: Date | null;
  valid_from: Date | null;
  valid_to: Date | null;
  created_at: Date;
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
  organization_name: string;
  is_root: boolean;
  role_id: string;
  expires_at: Date;
  ended_at: Date | null;
  created_at: Date;
  user_active: boolean;
  display_name: string;
  permissions: string[];
}

/** The token, its organization and its role in one read; `$1` is the presented secret's hash (or null). */
const TOKEN_SELECT = `SELECT t.id, t.name, t.organization_id, o.name AS organization_name, o.is_root, t.role_id, t.active, t.revoked_at,
              t.valid_from, t.valid_to, t.created_at, t.scopes, t.allowed_ips, t.blocked_ips, t.allowed_endpoints, t.blocked_endpoints,
              t.allowed_origins, r.permissions AS role_permissions, t.hint, (t.secret_hash = $1) AS is_current,
              t.previous_secret_valid_until
         FROM tokens t
         JOIN organizations o ON o.id = t.organization_id
         LEFT JOIN roles r ON r.id = t.role_id AND r.organization_id = t.organization_id`;

/** The token whose current or previous secret has this SHA-256 hex, compiled. */
/**
 * `catalog` (PermissionCatalog.resources) expands a role's tag grants (`@cli`) in every read below.
 */
export async function readTokenBySecretHash(db: Queryable, hash: string, catalog: readonly CatalogResource[]): Promise<VerifiedCredential | null> {
  const rows = await db.query<TokenRow[]>(`${TOKEN_SELECT}
        WHERE t.secret_hash = $1 OR t.previous_secret_hash = $1
        LIMIT 1`, [hash]);
  const row = rows[0];
  return row ? compileToken(row, catalog) : null;
}

/** A token of `organizationId` by id, compiled as for its current secret (no grace). */
export async function readTokenById(
  db: Queryable,
  organizationId: string,
  tokenId: string,
  catalog: readonly CatalogResource[],
): Promise<VerifiedCredential | null> {
  const rows = await db.query<TokenRow[]>(`${TOKEN_SELECT}
        WHERE t.id = $2 AND t.organization_id = $3`, [null, tokenId, organizationId]);
  const row = rows[0];
  return row ? compileToken({ ...row, is_current: true }, catalog) : null;
}

/** The login session with this secret's SHA-256 hex, compiled (its user's role and status). */
export async function readSessionBySecretHash(db: Queryable, hash: string, catalog: readonly CatalogResource[]): Promise<VerifiedCredential | null> {
  const rows = await db.query<SessionRow[]>(
    `SELECT s.id, s.user_id, s.organization_id, o.name AS organization_name, o.is_root, u.role_id, s.expires_at,
            s.ended_at, s.created_at, u.active AS user_active, u.display_name, r.permissions
       FROM sessions s
       JOIN users u ON u.id = s.user_id
       JOIN roles r ON r.id = u.role_id
       JOIN organizations o ON o.id = s.organization_id
      WHERE s.secret_hash = $1`,
    [hash],
  );
  const row = rows[0];
  if (!row) return null;
  const permissions = effectivePermissions(row.permissions, [], catalog);
  return {
    kind: 'session',
    id: row.id,
    principalId: row.user_id,
    name: row.display_name,
    organizationId: row.organization_id,
    organizationName: row.organization_name,
    organizationIsRoot: row.is_root,
    roleId: row.role_id,
    // A session maps onto token status: ended → revoked, user deactivated → inactive, past expiry → expired.
    subject: {
      active: row.user_active,
      revokedAt: row.ended_at,
      validFrom: null,
      validTo: row.expires_at,
      rules: compileAccessRules({ permissions }),
    },
    permissionList: permissions,
    allowedIps: [],
    validTo: row.expires_at,
    issuedAt: row.created_at,
    hint: 'tss_…',
  };
}

/** The organization's IP allowlist, compiled (size 0: no restriction). */
export async function readOrgAllowlist(db: Queryable, organizationId: string): Promise<IpMatcher> {
  const rows = await db.query<{ cidr: string }[]>('SELECT cidr FROM org_ip_allowlist_entries WHERE organization_id = $1', [organizationId]);
  return createIpMatcher(rows.map((r) => r.cidr));
}

function compileToken(row: TokenRow, catalog: readonly CatalogResource[]): VerifiedCredential {
  const permissions = effectivePermissions(row.role_permissions, row.scopes, catalog);
  return {
    kind: 'token',
    id: row.id,
    principalId: row.id,
    name: row.name,
    organizationId: row.organization_id,
    organizationName: row.organization_name,
    organizationIsRoot: row.is_root,
    roleId: row.role_id,
    subject: {
      active: row.active,
      revokedAt: row.revoked_at,
      validFrom: row.valid_from,
      validTo: row.valid_to,
      // The presented secret is the token's previous one (regenerate with grace): it stands for the
      // token only before this instant. Whether it still does is the domain's presentedStatus.
      graceUntil: row.is_current ? null : (row.previous_secret_valid_until ?? new Date(0)),
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
    issuedAt: row.created_at,
    hint: row.hint,
  };
}
