import { Inject, Injectable } from '@nestjs/common';
import { compileAccessRules, createIpMatcher, decideAccess, effectivePermissions } from '@tessera/domain';
import type { ExplainRequestInput, ExplainResponseDto } from '@tessera/domain';
import { DataSource } from 'typeorm';
import { CLOCK } from '../common/clock';
import type { Clock } from '../common/clock';
import type { Principal } from '../common/principal';
import { notFound } from '../common/problem';
import { Role } from '../roles/role.entity';
import { OrgIpAllowlistEntry } from '../security/ip-allowlist-entry.entity';
import { Token } from '../tokens/token.entity';
import { RoutePermissions } from './route-permissions';

/**
 * "Would the guard let this token do that, and why?" — the same `decideAccess` the guard runs,
 * with the token's current rules and the organization's allowlist, step by step. The token is not
 * used: no usage counters, no audit row. Without `permission`, the permission is the one this api's
 * route for the method and path requires (none for paths outside this api).
 */
@Injectable()
export class AccessService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly routes: RoutePermissions,
  ) {}

  async explain(who: Principal, input: ExplainRequestInput): Promise<ExplainResponseDto> {
    const token = await this.db.getRepository(Token).findOne({ where: { id: input.tokenId, organizationId: who.organizationId } });
    if (!token) throw notFound('Token');
    const role = token.roleId
      ? await this.db.getRepository(Role).findOne({ where: { id: token.roleId, organizationId: who.organizationId } })
      : null;
    const allowlist = await this.db.getRepository(OrgIpAllowlistEntry).find({ where: { organizationId: who.organizationId } });

    // permission absent: the one this api's route needs (null for other services' paths);
    // permission null: authentication only.
    const requiredPermission =
      input.permission !== undefined ? input.permission : (this.routes.requiredPermission(input.method, input.path) ?? null);
    const rules = compileAccessRules({
      permissions: effectivePermissions(role?.permissions, token.scopes),
      allowedIps: token.allowedIps,
      blockedIps: token.blockedIps,
      allowedEndpoints: token.allowedEndpoints,
      blockedEndpoints: token.blockedEndpoints,
      allowedOrigins: token.allowedOrigins,
    });
    const decision = decideAccess(
      { active: token.active, revokedAt: token.revokedAt, validFrom: token.validFrom, validTo: token.validTo, rules },
      {
        method: input.method,
        path: input.path.split('?')[0] ?? input.path,
        ip: input.ip,
        origin: input.origin ?? null,
        requiredPermission,
        now: this.clock.now(),
      },
      createIpMatcher(allowlist.map((e) => e.cidr)),
      { explain: true },
    );
    if (decision.allowed) {
      return { allowed: true, status: 200, error: null, reason: null, message: 'The request would be allowed', steps: decision.steps };
    }
    return {
      allowed: false,
      status: decision.status,
      error: decision.error,
      reason: decision.reason,
      ...(decision.scope !== undefined ? { scope: decision.scope } : {}),
      message: decision.message,
      steps: decision.steps,
    };
  }
}
