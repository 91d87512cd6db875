import { generateTokenSecret, SESSION_PREFIX } from '@tessera/domain';
import type { EntityManager } from 'typeorm';
import { hashTokenSecret } from '../common/secret-hash';
import { User } from '../users/user.entity';
import { Session } from './session.entity';

export interface StartSession {
  user: Pick<User, 'id' | 'organizationId'>;
  now: Date;
  ttlSeconds: number;
  ip: string;
  userAgent: string | null;
}

/**
 * Opens a login session for a user inside `manager`'s transaction: a new `tss_` secret of which
 * only the SHA-256 is stored, and the user's last login. Used by login and by accepting an
 * invitation; the caller writes the audit row. The secret is returned once, to hand to the user.
 */
export async function startSession(manager: EntityManager, input: StartSession): Promise<{ session: Session; secret: string; expiresAt: Date }> {
  const secret = generateTokenSecret(SESSION_PREFIX);
  const expiresAt = new Date(input.now.getTime() + input.ttlSeconds * 1000);
  const session = await manager.save(
    manager.create(Session, {
      organizationId: input.user.organizationId,
      userId: input.user.id,
      secretHash: hashTokenSecret(secret),
      createdAt: input.now,
      expiresAt,
      lastUsedAt: null,
      ip: input.ip,
      userAgent: input.userAgent,
      endedAt: null,
    }),
  );
  await manager.update(User, { id: input.user.id }, { lastLoginAt: input.now });
  return { session, secret, expiresAt };
}
