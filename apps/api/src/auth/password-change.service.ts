import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ChangePasswordInput } from '@tessera/domain';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CLOCK, type Clock } from '../common/clock';
import { actorOf, type Principal } from '../common/principal';
import { badRequest, forbidden, notFound, ProblemException } from '../common/problem';
import { User } from '../users/user.entity';
import { ChangeNotifier } from '../credentials/change-notifier';
import { endUserSessions } from './end-sessions';
import { AuthFailureLimiter } from './failure-limiter';
import { HashQueueFullError, PasswordHasher } from './password-hasher';

export const PASSWORD_CHANGE_ACTION = 'auth.password.change';

function throwIfLimited(retryAfter: number | null, detail: string): void {
  if (retryAfter !== null) {
    throw new ProblemException(429, 'Too Many Requests', detail, undefined, { 'retry-after': String(retryAfter) });
  }
}

/** argon2 work through the hasher's bounded queue: a full queue answers 503 + Retry-After, as login does. */
async function hashing<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof HashQueueFullError) {
      throw new ProblemException(503, 'Service Unavailable', 'Too many password checks in progress; try again shortly', undefined, {
        'retry-after': '1',
      });
    }
    throw err;
  }
}

/**
 * A signed-in user changes their own password (POST /auth/password). Only with a session: an API
 * token never changes the password of the user who made it. A wrong current password counts as a
 * failed authentication of the address and of the account, like a failed login (429 once either is
 * over its limit), so the route cannot be used to guess the password of a stolen session's user. On success every other session of the user ends;
 * the caller's own stays open. No password reaches a log or an audit row.
 */
@Injectable()
export class PasswordChangeService {
  private readonly logger = new Logger(PasswordChangeService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly limiter: AuthFailureLimiter,
    private readonly audit: AuditService,
    private readonly notifier: ChangeNotifier,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async change(who: Principal, input: ChangePasswordInput): Promise<{ endedSessions: number }> {
    const sessionId = who.kind === 'user' ? who.sessionId : undefined;
    if (sessionId === undefined) {
      this.refuse(who, 'not_a_session');
      throw forbidden('Only a signed-in user changes their password: use a session from auth/login, not an API token');
    }
    throwIfLimited(this.limiter.retryAfter(who.ip), 'Too many failed authentications from this address');
    const user = await this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.id = :id AND u.organizationId = :org', { id: who.id, org: who.organizationId })
      .getOne();
    if (!user) throw notFound('User');
    // The account's login throttle too: guesses here and at login share one budget.
    throwIfLimited(this.limiter.accountRetryAfter(user.email), 'Too many failed logins for this account');
    if (!(await hashing(this.hasher.verify(user.passwordHash, input.currentPassword)))) {
      this.limiter.recordFailure(who.ip);
      this.limiter.recordAccountFailure(user.email);
      this.refuse(who, 'wrong_password', user.email);
      throw badRequest('The current password is wrong', [{ field: 'currentPassword', message: 'is not your current password' }]);
    }

    const passwordHash = await hashing(this.hasher.hash(input.newPassword));
    const now = this.clock.now();
    const endedSessions = await this.dataSource.transaction(async (m) => {
      await m.getRepository(User).update({ id: user.id, organizationId: who.organizationId }, { passwordHash, updatedAt: now });
      const ended = await endUserSessions(m, {
        userId: user.id,
        organizationId: who.organizationId,
        now,
        keepSessionId: sessionId,
        notify: (manager, change) => this.notifier.notify(manager, change),
      });
      await this.audit.record(
        {
          organizationId: who.organizationId,
          actor: actorOf(who),
          action: PASSWORD_CHANGE_ACTION,
          targetType: 'user',
          targetId: user.id,
          targetName: user.email,
          ip: who.ip,
          userAgent: who.userAgent,
          outcome: 'success',
          details: { endedSessions: ended },
        },
        m,
      );
      return ended;
    });
    this.logger.log(`${PASSWORD_CHANGE_ACTION} ${user.id} (${endedSessions} other sessions ended)`);
    return { endedSessions };
  }

  private refuse(who: Principal, reason: string, email?: string): void {
    this.audit.recordDenied({
      organizationId: who.organizationId,
      actor: actorOf(who),
      action: PASSWORD_CHANGE_ACTION,
      targetType: who.kind === 'user' ? 'user' : null,
      targetId: who.kind === 'user' ? who.id : null,
      targetName: email ?? null,
      ip: who.ip,
      userAgent: who.userAgent,
      outcome: 'failure',
      reason,
    });
  }
}
