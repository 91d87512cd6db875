import { type EntityManager, IsNull } from 'typeorm';
import type { Change } from '../credentials/change-notifier';
import { Session } from './session.entity';

export interface EndUserSessions {
  userId: string;
  organizationId: string;
  now: Date;
  /** The caller's own session, which stays open (a user who changes their password stays signed in). */
  keepSessionId?: string;
  /**
   * Announces the change inside `manager`'s transaction: ChangeNotifier.notify in the api (this
   * instance forgets at once, the others on commit), a bare pg_notify in the CLI. Absent when the
   * caller announces the same user change itself in that transaction (users.service does).
   */
  notify?: (manager: EntityManager, change: Change) => Promise<void>;
}

/**
 * Ends every open session of a user (but `keepSessionId`) and tells every api instance, so a
 * cached session stops working from the next request. Call inside the transaction that changes
 * the password. Returns how many sessions it ended.
 */
export async function endUserSessions(manager: EntityManager, input: EndUserSessions): Promise<number> {
  const qb = manager
    .createQueryBuilder()
    .update(Session)
    .set({ endedAt: input.now })
    .where({ userId: input.userId, organizationId: input.organizationId, endedAt: IsNull() });
  if (input.keepSessionId) qb.andWhere('id <> :keep', { keep: input.keepSessionId });
  const ended = (await qb.execute()).affected ?? 0;
  // Cached sessions depend on their user: one 'user' change drops them all on every instance.
  await input.notify?.(manager, { kind: 'user', id: input.userId });
  return ended;
}
