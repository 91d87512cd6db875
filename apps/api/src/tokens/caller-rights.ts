import { type CatalogResource, effectivePermissions, type PrincipalRights, userRights } from '@tessera/domain';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../common/principal';
import { ProblemException } from '../common/problem';
import { Role } from '../roles/role.entity';
import { User } from '../users/user.entity';
import { Token } from './token.entity';

/** A token's rights as the guard applies them: role ∪ scopes and every limit. */
export function tokenRights(token: Token, role: Pick<Role, 'permissions'> | null | undefined, catalog: readonly CatalogResource[]): PrincipalRights {
  return {
    permissions: effectivePermissions(role?.permissions, token.scopes, catalog),
    allowedIps: token.allowedIps,
    blockedIps: token.blockedIps,
    allowedEndpoints: token.allowedEndpoints,
    blockedEndpoints: token.blockedEndpoints,
    allowedOrigins: token.allowedOrigins,
    validFrom: token.validFrom,
    validTo: token.validTo,
  };
}

/**
 * The caller's rights, read in the change's transaction (not from the guard's cached principal,
 * which carries only some limits): a token caller's full row (permissions, IP, endpoint and origin
 * lists, validity); a session's user: its role's permissions and no limits.
 */
export async function callerRights(m: EntityManager, who: Principal, catalog: readonly CatalogResource[]): Promise<PrincipalRights> {
  if (who.kind === 'token') {
    const token = (await m
      .getRepository(Token)
      .createQueryBuilder('t')
      .leftJoinAndMapOne('t.role', Role, 'r', 'r.id = t.roleId AND r.organizationId = t.organizationId')
      .where('t.id = :id AND t.organizationId = :org', { id: who.id, org: who.organizationId })
      .getOne()) as (Token & { role?: Role | null }) | null;
    if (!token) throw callerGone();
    return tokenRights(token, token.role, catalog);
  }
  const user = (await m
    .getRepository(User)
    .createQueryBuilder('u')
    .leftJoinAndMapOne('u.role', Role, 'r', 'r.id = u.roleId')
    .where('u.id = :id AND u.organizationId = :org', { id: who.id, org: who.organizationId })
    .getOne()) as (User & { role?: Role | null }) | null;
  if (!user) throw callerGone();
  return userRights(effectivePermissions(user.role?.permissions, [], catalog));
}

/** Is the caller this principal (its own token, or the user of the session)? */
export function isSelf(who: Principal, kind: 'token' | 'user', id: string): boolean {
  return who.kind === kind && who.id === id;
}

function callerGone(): ProblemException {
  return new ProblemException(401, 'Unauthorized', 'The caller no longer exists');
}
