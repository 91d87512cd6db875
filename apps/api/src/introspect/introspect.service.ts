import { Inject, Injectable } from '@nestjs/common';
import {
  decideAccess,
  type IntrospectInput,
  type IntrospectionDecision,
  type IntrospectionDto,
  introspectionDecision,
  presentedStatus,
} from '@tessera/domain';
import { CLOCK } from '../common/clock';
import type { Clock } from '../common/clock';
import type { Principal } from '../common/principal';
import type { PresentedCredential } from '../credentials/credential';
import { Credentials } from '../credentials/credentials.service';

/** RFC 7662 §2.2 response. Everything but `active` is left out for a token that is not usable. */
export type IntrospectionResponse = IntrospectionDto;

const seconds = (d: Date | string): number => Math.floor(new Date(d).getTime() / 1000);

const INACTIVE: IntrospectionResponse = { active: false };

/**
 * Token introspection for other services. The presented token is resolved by
 * `Credentials.bySecret`, exactly as the guard resolves it, and judged by the domain: its status
 * and the grace-secret rule by `presentedStatus`, a described request by `decideAccess`. Only
 * tokens of the caller's organization are reported active; malformed, unknown, revoked, inactive,
 * pending and expired tokens, lapsed previous secrets, login sessions and tokens of other
 * organizations all answer `{active: false}` alike. The token is not used (no usage counters).
 */
@Injectable()
export class IntrospectService {
  constructor(
    private readonly credentials: Credentials,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async introspect(who: Principal, input: IntrospectInput): Promise<IntrospectionResponse> {
    const presented = await this.credentials.bySecret(input.token.trim());
    const credential = presented.credential;
    if (!credential || credential.kind !== 'token' || credential.organizationId !== who.organizationId) return INACTIVE;
    const now = this.clock.now();
    if (presentedStatus(credential.subject, now) !== 'active') return INACTIVE;
    const decision =
      input.method !== undefined && input.path !== undefined && input.ip !== undefined ? this.decide(presented, input, now) : undefined;
    const { validFrom, validTo } = credential.subject;
    return {
      active: true,
      scope: credential.permissionList.join(' '),
      ...(validTo ? { exp: seconds(validTo) } : {}),
      iat: seconds(credential.issuedAt),
      ...(validFrom ? { nbf: seconds(validFrom) } : {}),
      sub: credential.id,
      username: credential.name,
      token_type: 'bearer',
      org: credential.organizationId,
      ...(decision ? { decision } : {}),
    };
  }

  /**
   * What the guard would answer for the resource server's request (method, path, client IP, origin,
   * the permission its route needs): the same credential, org allowlist and `decideAccess`.
   */
  private decide(presented: PresentedCredential, input: IntrospectInput, now: Date): IntrospectionDecision {
    return introspectionDecision(
      decideAccess(
        presented.credential?.subject ?? null,
        {
          method: input.method ?? '',
          path: input.path ?? '',
          ip: input.ip ?? '',
          origin: input.origin ?? null,
          requiredPermission: input.permission ?? null,
          now,
        },
        presented.orgAllowlist,
      ),
    );
  }
}
