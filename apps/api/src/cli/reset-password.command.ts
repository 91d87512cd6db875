import type { DataSource } from 'typeorm';
import { CHANGES_CHANNEL } from '../credentials/change-notifier';
import { endUserSessions } from '../auth/end-sessions';
import type { PasswordHasher } from '../auth/password-hasher';
import { generatePassword } from '../organizations/organization-creation';
import { User } from '../users/user.entity';
import { recordCliAudit } from './cli-audit';
import { CliError } from './cli-database';

export const RESET_PASSWORD_ACTION = 'user.password.reset';

export interface PasswordReset {
  email: string;
  /** Generated; shown once by the command, never stored but as an argon2id hash. */
  password: string;
  endedSessions: number;
  active: boolean;
}

/**
 * Sets a new generated password for the user with this email (any organization), ends all their
 * sessions and tells running api instances (pg_notify), in one transaction with its audit row.
 */
export async function resetPasswordCommand(dataSource: DataSource, hasher: PasswordHasher, email: string): Promise<PasswordReset> {
  if (await dataSource.showMigrations()) {
    throw new CliError('The database schema is not up to date: run `npm run tessera -- migrate` first.');
  }
  const user = await dataSource
    .getRepository(User)
    .createQueryBuilder('u')
    .where('lower(u.email) = lower(:email)', { email: email.trim() })
    .getOne();
  if (!user) throw new CliError(`No user with the email ${JSON.stringify(email.trim())}.`);

  const password = generatePassword();
  const passwordHash = await hasher.hash(password);
  const endedSessions = await dataSource.transaction(async (m) => {
    const now = new Date();
    await m.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [user.id]);
    await m.getRepository(User).update({ id: user.id }, { passwordHash, updatedAt: now });
    const ended = await endUserSessions(m, {
      userId: user.id,
      organizationId: user.organizationId,
      now,
      notify: async (manager, change) => {
        await manager.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, JSON.stringify(change)]);
      },
    });
    await recordCliAudit(
      m,
      {
        organizationId: user.organizationId,
        action: RESET_PASSWORD_ACTION,
        targetType: 'user',
        targetId: user.id,
        targetName: user.email,
        details: { endedSessions: ended },
      },
      now,
    );
    return ended;
  });
  return { email: user.email, password, endedSessions, active: user.active };
}
