import { Inject, Injectable } from '@nestjs/common';
import {
  accessDenied,
  decideAccess,
  effectivePermissions,
  type IntrospectInput,
  type IntrospectionDecision,
  type IntrospectionDto,
  introspectionDecision,
  isWellFormedTokenSecret,
  presentedStatus,
  TOKEN_PREFIX,
} from '@tessera/domain';
import { DataSource } from 'typeorm';
import { CLOCK } from '../common/clock';
import type { Clock } from '../common/clock';
import type { Principal } from '../common/principal';
import { Role } from '../roles/role.entity';
import { Token } from '../tokens/token.entity';
import { hashTokenSecret } from '../common/secret-hash';
import { TokenVerifier } from '../auth/token-verifier';

/** RFC 7662 §2.2 response. Everything but `active` is left out for a token that is not usable. */
export type IntrospectionResponse = IntrospectionDto;

const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);

/**
 * Token introspection for other services. Only tokens of the caller's organization are reported
 * active; malformed, unknown, revoked, inactive, pending and expired tokens — and tokens of other
 * organizations — all answer `{active: false}` alike. The token is not used (no usage counters).
 */
@Injectable()
export class IntrospectService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly verifier: TokenVerifier,
  ) {}

  async introspect(who: Principal, input: IntrospectInput): Promise<IntrospectionResponse> {
    const inactive: IntrospectionResponse = { active: false };
    const secret = input.token.trim();
    if (!isWellFormedTokenSecret(secret, TOKEN_PREFIX)) return inactive;
    const hash = hashTokenSecret(secret);
    const now = this.clock.now();
    const token = await this.db
      .getRepository(Token)
      .createQueryBuilder('t')
      .where('t.organizationId = :org', { org: who.organizationId })
      .andWhere('(t.secretHash = :hash OR t.previousSecretHash = :hash)', { hash })
      .addSelect('t.secretHash')
      .getOne();
    if (!token) return inactive;
    // A previous secret (regenerate with grace) counts only before its end: the domain decides.
    const graceUntil = token.secretHash === hash ? null : (token.previousSecretValidUntil ?? new Date(0));
    if (presentedStatus({ ...token, graceUntil }, now) !== 'active') return inactive;
    const role = token.roleId
      ? await this.db.getRepository(Role).findOne({ where: { id: token.roleId, organizationId: who.organizationId } })
      : null;
    let decision: IntrospectionDecision | undefined;
    if (input.method !== undefined && input.path !== undefined && input.ip !== undefined) {
      decision = await this.decide(secret, hash, input, now);
      // Revoked (or deactivated…) since the read above: not active after all.
      if (!decision.allowed && decision.status === 401) return inactive;
    }
    return {
      active: true,
      scope: effectivePermissions(role?.permissions, token.scopes).join(' '),
      ...(token.validTo ? { exp: seconds(token.validTo) } : {}),
      iat: seconds(token.createdAt),
      ...(token.validFrom ? { nbf: seconds(token.validFrom) } : {}),
      sub: token.id,
      username: token.name,
      token_type: 'bearer',
      org: token.organizationId,
      ...(decision ? { decision } : {}),
    };
  }

  /**
   * What the guard would answer for the resource server's request (method, path, client IP, origin,
   * the permission its route needs): the same credential, org allowlist and `decideAccess`.
   */
  private async decide(secret: string, hash: string, input: IntrospectInput, now: Date): Promise<IntrospectionDecision> {
    const credential = await this.verifier.lookup(secret, hash);
    if (!credential || credential.kind !== 'token') return introspectionDecision(accessDenied('unknown'));
    const allowlist = await this.verifier.orgAllowlist(credential.organizationId);
    return introspectionDecision(
      decideAccess(
        credential.subject,
        {
          method: input.method ?? '',
          path: input.path ?? '',
          ip: input.ip ?? '',
          origin: input.origin ?? null,
          requiredPermission: input.permission ?? null,
          now,
        },
        allowlist,
      ),
    );
  }
}
