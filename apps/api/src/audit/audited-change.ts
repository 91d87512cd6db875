import type { DataSource, EntityManager } from 'typeorm';
import { actorOf, type Principal } from '../common/principal';
import { auditRefusal, type ChangeTargetType } from './audit-refusal';
import type { AuditService } from './audit.service';

/** What a change was attempted on, for the failure row of a refusal. */
export interface ChangeAttempt {
  who: Principal;
  action: string;
  targetType: ChangeTargetType;
  targetId: string | null;
}

/**
 * Runs a change of the token, user, role or invitation services in one transaction. When it
 * fails: a refusal for being wider than the caller gets its failure audit row (outside the
 * rolled-back transaction: an attempt to escalate is worth a trace); `translate` turns a database
 * error it knows (a unique violation that slipped past a check, say) into the answer to give;
 * anything else is rethrown as it is.
 */
export async function runAuditedChange<T>(
  db: DataSource,
  audit: AuditService,
  attempt: ChangeAttempt,
  work: (m: EntityManager) => Promise<T>,
  translate: (error: unknown) => Error | undefined = () => undefined,
): Promise<T> {
  try {
    return await db.transaction(work);
  } catch (error) {
    await auditRefusal(audit, attempt.who, attempt, error);
    throw translate(error) ?? error;
  }
}

/** The success row of a change made by `who`, written in the change's own transaction `m`. */
export function recordChange(
  audit: AuditService,
  m: EntityManager,
  who: Principal,
  action: string,
  target: { type: ChangeTargetType; id: string; name: string },
  details: Record<string, unknown>,
): Promise<void> {
  return audit.record(
    {
      organizationId: who.organizationId,
      actor: actorOf(who),
      action,
      targetType: target.type,
      targetId: target.id,
      targetName: target.name,
      ip: who.ip,
      userAgent: who.userAgent,
      outcome: 'success',
      details,
    },
    m,
  );
}
