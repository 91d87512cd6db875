import { userInfo } from 'node:os';
import type { EntityManager } from 'typeorm';
import { AuditEvent } from '../audit/audit-event.entity';

export interface CliAuditEntry {
  organizationId: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  targetName?: string | null;
  details?: Record<string, unknown>;
}

/** Who ran the command, as far as the machine knows (for the audit row's details). */
function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/**
 * An audit row for an operator command: actor kind `cli` (no id, name `cli`), the OS user in the
 * details. Written inside the command's transaction. Never a secret.
 */
export async function recordCliAudit(m: EntityManager, entry: CliAuditEntry, now: Date): Promise<void> {
  await m.insert(AuditEvent, {
    at: now,
    organizationId: entry.organizationId,
    actorKind: 'cli',
    actorId: null,
    actorName: 'cli',
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    targetName: entry.targetName ?? null,
    ip: null,
    userAgent: null,
    outcome: 'success',
    reason: null,
    // TypeORM's deep-partial insert type does not take `unknown` values; details is plain JSON.
    details: { osUser: osUser(), ...entry.details } as never,
  });
}
