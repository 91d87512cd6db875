import { Inject, Injectable } from '@nestjs/common';
import { decideAccess } from '@tessera/domain';
import type { ExplainRequestInput, ExplainResponseDto } from '@tessera/domain';
import { CLOCK } from '../common/clock';
import type { Clock } from '../common/clock';
import type { Principal } from '../common/principal';
import { notFound } from '../common/problem';
import { Credentials } from '../credentials/credentials.service';
import { RoutePermissions } from './route-permissions';

/**
 * "Would the guard let this token do that, and why?" — the same `decideAccess` the guard runs, on
 * the same compiled credential (`Credentials.byTokenId`, as for the token's current secret) and
 * the organization's allowlist (`Credentials.orgAllowlist`), step by step. The token is not used:
 * no usage counters, no audit row. Without `permission`, the permission is the one this api's
 * route for the method and path requires (none for paths outside this api).
 */
@Injectable()
export class AccessService {
  constructor(
    private readonly credentials: Credentials,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly routes: RoutePermissions,
  ) {}

  async explain(who: Principal, input: ExplainRequestInput): Promise<ExplainResponseDto> {
    const credential = await this.credentials.byTokenId(who.organizationId, input.tokenId);
    if (!credential) throw notFound('Token');
    const allowlist = await this.credentials.orgAllowlist(credential.organizationId);

    // permission absent: the one this api's route needs (null for other services' paths);
    // permission null: authentication only.
    const requiredPermission =
      input.permission !== undefined ? input.permission : (this.routes.requiredPermission(input.method, input.path) ?? null);
    const decision = decideAccess(
      credential.subject,
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
}
