import { type CatalogResource, effectivePermissions, tokenStatus } from '@tessera/domain';
import type { TokenDto } from '@tessera/domain';
import type { Role } from '../roles/role.entity';
import type { Token } from './token.entity';

function iso(d: Date | null): string | null {
  return d === null ? null : d.toISOString();
}

/**
 * The wire shape of a token; `role` is the token's role (null when it has none); `catalog` expands
 * the role's tag grants (PermissionCatalog.resources).
 */
export function toTokenDto(token: Token, role: Pick<Role, 'name' | 'permissions'> | null, now: Date, catalog: readonly CatalogResource[]): TokenDto {
  return {
    id: token.id,
    name: token.name,
    description: token.description,
    roleId: token.roleId,
    roleName: role?.name ?? null,
    scopes: token.scopes,
    permissions: effectivePermissions(role?.permissions, token.scopes, catalog),
    allowedIps: token.allowedIps,
    blockedIps: token.blockedIps,
    allowedEndpoints: token.allowedEndpoints,
    blockedEndpoints: token.blockedEndpoints,
    allowedOrigins: token.allowedOrigins,
    validFrom: iso(token.validFrom),
    validTo: iso(token.validTo),
    active: token.active,
    revokedAt: iso(token.revokedAt),
    status: tokenStatus(token, now),
    createdAt: token.createdAt.toISOString(),
    updatedAt: token.updatedAt.toISOString(),
    createdBy: { kind: token.createdByKind, id: token.createdById, name: token.createdByName },
    lastUsedAt: iso(token.lastUsedAt),
    lastUsedIp: token.lastUsedIp,
    useCount: Number(token.useCount),
    hint: token.hint,
    version: token.version,
  };
}

/** `"3"` — the strong ETag of a token version. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * Does an If-Match header value match the current version? Accepts `*`, a list, strong (`"3"`) and
 * weak (`W/"3"`) tags, and — leniently — a bare `3`.
 */
export function ifMatchAccepts(header: string, version: number): boolean {
  return header
    .split(',')
    .map((t) => t.trim())
    .some((t) => t === '*' || t.replace(/^W\//, '').replace(/^"(.*)"$/, '$1') === String(version));
}
