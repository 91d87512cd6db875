import { actorOf, type Principal } from '../common/principal';
import { WIDER_THAN_CALLER, WiderThanCallerException } from '../common/wider-than-caller';
import type { AuditService } from './audit.service';

/** What the token, user, role and invitation services change. */
export type ChangeTargetType = 'token' | 'user' | 'role' | 'invitation';

/**
 * When `error` is such a refusal, writes its failure audit row (outside the rolled-back
 * transaction of the change: an attempt to escalate is worth a trace).
 */
export async function auditRefusal(
  audit: AuditService,
  who: Principal,
  attempt: { action: string; targetType: ChangeTargetType; targetId: string | null },
  error: unknown,
): Promise<void> {
  if (!(error instanceof WiderThanCallerException)) return;
  await audit.record({
    organizationId: who.organizationId,
    actor: actorOf(who),
    action: attempt.action,
    targetType: attempt.targetType,
    targetId: attempt.targetId,
    ip: who.ip,
    userAgent: who.userAgent,
    outcome: 'failure',
    reason: WIDER_THAN_CALLER,
    details: { detail: error.detail ?? null, fields: [...new Set(error.refusals.map((r) => r.field))] },
  });
}
