import { Inject, Injectable } from '@nestjs/common';
import { type AccessSubject, compileAccessRules, decideAccess, normalizeIpRule } from '@tessera/domain';
import type { ExplainDraftInput, ExplainRequestInput, ExplainResponseDto } from '@tessera/domain';
import { DataSource } from 'typeorm';
import { CLOCK } from '../common/clock';
import type { Clock } from '../common/clock';
import type { Principal } from '../common/principal';
import { badRequest, notFound } from '../common/problem';
import { PermissionCatalog } from '../config/permission-catalog';
import { Credentials } from '../credentials/credentials.service';
import { Role } from '../roles/role.entity';
import { RoutePermissions } from './route-permissions';

/**
 * "Would the guard let this token do that, and why?" — the same `decideAccess` the guard runs, on
 * the same compiled credential (`Credentials.byTokenId`, as for the token's current secret) and
 * the organization's allowlist (`Credentials.orgAllowlist`), step by step. The token is not used:
 * no usage counters, no audit row. Without `permission`, the permission is the one this api's
 * route for the method and path requires (none for paths outside this api).
 *
 * A `draft` (the create drawer's Test access) is a token not saved yet: its rules are compiled the
 * way a saved token's are (role ∪ scopes over the catalog, the same lists), active from now.
 */
@Injectable()
export class AccessService {
  constructor(
    private readonly credentials: Credentials,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly routes: RoutePermissions,
    private readonly db: DataSource,
    private readonly catalog: PermissionCatalog,
  ) {}

  async explain(who: Principal, input: ExplainRequestInput): Promise<ExplainResponseDto> {
    const subject = input.tokenId !== undefined ? await this.savedSubject(who, input.tokenId) : await this.draftSubject(who, input.draft ?? {});
    const allowlist = await this.credentials.orgAllowlist(who.organizationId);

    // permission absent: the one this api's route needs (null for other services' paths);
    // permission null: authentication only.
    const requiredPermission =
      input.permission !== undefined ? input.permission : (this.routes.requiredPermission(input.method, input.path) ?? null);
    const decision = decideAccess(
      subject,
      {
        method: input.method,
        path: input.path.split('?')[0] ?? input.path,
        ip: input.ip,
        origin: input.origin ?? null,
        requiredPermission,
        now: this.clock.now(),
      },
      allowlist,
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

  private async savedSubject(who: Principal, tokenId: string): Promise<AccessSubject> {
    const credential = await this.credentials.byTokenId(who.organizationId, tokenId);
    if (!credential) throw notFound('Token');
    return credential.subject;
  }

  private async draftSubject(who: Principal, draft: ExplainDraftInput): Promise<AccessSubject> {
    const role = draft.roleId ? await this.db.getRepository(Role).findOneBy({ id: draft.roleId, organizationId: who.organizationId }) : null;
    if (draft.roleId && !role) throw badRequest('Unknown role', [{ field: 'draft.roleId', message: 'No such role in this organization' }]);
    return {
      active: true,
      revokedAt: null,
      validFrom: draft.validFrom ? new Date(draft.validFrom) : null,
      validTo: draft.validTo ? new Date(draft.validTo) : null,
      rules: compileAccessRules({
        permissions: this.catalog.effective(role?.permissions, draft.scopes ?? []),
        allowedIps: (draft.allowedIps ?? []).map(normalizeIpRule),
        blockedIps: (draft.blockedIps ?? []).map(normalizeIpRule),
        allowedEndpoints: draft.allowedEndpoints ?? [],
        blockedEndpoints: draft.blockedEndpoints ?? [],
        allowedOrigins: draft.allowedOrigins ?? [],
      }),
    };
  }
}
