import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import {
  grantablePermissions,
  type LoginInput,
  type LoginResponseDto,
  type MeDto,
  type Page,
  type SessionDto,
  type UserDto,
} from '@tessera/domain';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CLOCK, type Clock } from '../common/clock';
import type { RequestContext } from '../common/http-request';
import { actorOf, type Principal } from '../common/principal';
import { badRequest, notFound, ProblemException } from '../common/problem';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Organization } from '../organizations/organization.entity';
import { PermissionsService } from '../permissions/permissions.service';
import { Role } from '../roles/role.entity';
import { User } from '../users/user.entity';
import { toUserDto } from '../users/users.service';
import { ChangeNotifier } from '../credentials/change-notifier';
import { AuthFailureLimiter } from './failure-limiter';
import { HashQueueFullError, PasswordHasher } from './password-hasher';
import { Session } from './session.entity';
import { Credentials } from '../credentials/credentials.service';
import { startSession } from './start-session';

const RECENT_SESSIONS = 50;
/** Seconds a client is asked to wait when the argon2 queue is full (a slot frees every few tens of ms). */
const HASH_QUEUE_RETRY_AFTER = 1;

function hashQueueFull(): ProblemException {
  return new ProblemException(503, 'Service Unavailable', 'Too many logins in progress; try again shortly', undefined, {
    'retry-after': String(HASH_QUEUE_RETRY_AFTER),
  });
}

@Injectable()
export class AuthService {
  private readonly grantableByPermissions = new LRUCache<string, readonly string[]>({ max: 1000 });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly limiter: AuthFailureLimiter,
    private readonly credentials: Credentials,
    private readonly audit: AuditService,
    private readonly notifier: ChangeNotifier,
    private readonly permissions: PermissionsService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Email + password → a 3-hour `tss_` session. Every refusal (unknown email, wrong password,
   * inactive user, client outside the organization's IP allowlist) is the same 401 after the same
   * work (one argon2 verification, one allowlist lookup for a known email), counted as a failure;
   * only the audit row says which it was. A right password is no use from outside the allowlist,
   * and the answer does not tell whether it was right.
   *
   * Before any of that: 429 when the client's address bucket (IPv4 address, IPv6 /64) or the
   * account (email, whether it exists or not) has failed too often, decided without looking at the
   * password; 503 when the argon2 queue is full (PasswordHasher), so a flood costs bounded work.
   */
  async login(input: LoginInput, ctx: RequestContext): Promise<LoginResponseDto> {
    this.throwIfLimited(ctx.ip);
    this.throwIfAccountLimited(input.email);
    if (this.hasher.slots.full()) throw hashQueueFull();
    const user = await this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.email) = lower(:email)', { email: input.email.trim() })
      .getOne();

    const [ok, ipAllowed] = await Promise.all([
      user ? this.hasher.verify(user.passwordHash, input.password) : this.hasher.verifyDummy(input.password),
      user ? this.orgAllows(user.organizationId, ctx.ip) : Promise.resolve(true),
    ]).catch((err: unknown) => {
      throw err instanceof HashQueueFullError ? hashQueueFull() : err;
    });
    const reason = !user
      ? 'unknown_email'
      : !ok
        ? 'wrong_password'
        : !user.active
          ? 'user_inactive'
          : !ipAllowed
            ? 'org_ip_not_allowed'
            : null;
    if (!user || reason !== null) {
      this.limiter.recordFailure(ctx.ip);
      this.limiter.recordAccountFailure(input.email);
      // The precise reason goes to the audit row only; a guesser learns nothing from the answer.
      this.audit.recordDenied({
        organizationId: user?.organizationId ?? null,
        actor: null,
        action: 'auth.login',
        targetType: user ? 'user' : null,
        targetId: user?.id ?? null,
        targetName: user?.email ?? null,
        ip: ctx.ip,
        userAgent: ctx.userAgent,
        outcome: 'failure',
        reason: reason ?? 'unknown_email',
      });
      throw new ProblemException(401, 'Unauthorized', 'Invalid email or password');
    }

    const now = this.clock.now();
    const { secret, expiresAt } = await this.dataSource.transaction(async (m) => {
      const started = await startSession(m, { user, now, ttlSeconds: this.config.sessionTtlSeconds, ip: ctx.ip, userAgent: ctx.userAgent });
      await this.audit.record(
        {
          organizationId: user.organizationId,
          actor: { kind: 'user', id: user.id, name: user.displayName },
          action: 'auth.login',
          targetType: 'session',
          targetId: started.session.id,
          ip: ctx.ip,
          userAgent: ctx.userAgent,
          outcome: 'success',
        },
        m,
      );
      return started;
    });
    user.lastLoginAt = now;
    return { token: secret, expiresAt: expiresAt.toISOString(), user: await this.userDto(user) };
  }

  async logout(who: Principal): Promise<void> {
    if (!who.sessionId)
      throw badRequest('Only session tokens log out; revoke an API token instead');
    await this.endSessionById(who, who.sessionId, 'auth.logout');
  }

  /**
   * The caller, its effective permissions and what the authorization rule lets it hand out (the
   * catalog permissions it covers). The console adapts its screens to this; every request is still
   * decided by the guard and the services. A token caller is answered from the guard's credential
   * alone (no query: this is the route the bench and the outage drill probe with).
   */
  async me(who: Principal): Promise<MeDto> {
    // The guard's credential carries the organization's name; read it only when it does not.
    const organizationName =
      who.organizationName ??
      (
        await this.dataSource
          .getRepository(Organization)
          .findOneByOrFail({ id: who.organizationId })
      ).name;
    const me: MeDto = {
      kind: who.kind,
      id: who.id,
      name: who.name,
      organization: { id: who.organizationId, name: organizationName },
      permissions: who.permissionList,
      grantable: this.grantable(who.permissionList),
    };
    if (who.kind === 'user') {
      // The caller's own address (SPEC §8): read from the user row, never from the credential cache.
      const user = await this.dataSource
        .getRepository(User)
        .findOneOrFail({ where: { id: who.id, organizationId: who.organizationId }, select: { id: true, email: true } });
      me.email = user.email;
    }
    if (who.sessionId) me.sessionId = who.sessionId;
    if (who.tokenId) me.tokenId = who.tokenId;
    return me;
  }

  /** `grantablePermissions` over the catalog, remembered per permission list (the catalog is fixed per process). */
  private grantable(permissions: readonly string[]): string[] {
    const key = permissions.join(' ');
    let hit = this.grantableByPermissions.get(key);
    if (!hit) {
      hit = grantablePermissions(permissions, this.permissions.getCatalog().resources);
      this.grantableByPermissions.set(key, hit);
    }
    return [...hit];
  }

  /** The caller's most recent sessions (a token caller has none). */
  async sessions(who: Principal): Promise<Page<SessionDto>> {
    if (who.kind !== 'user') return { items: [], total: 0, page: 1, pageSize: RECENT_SESSIONS };
    const [rows, total] = await this.dataSource.getRepository(Session).findAndCount({
      where: { userId: who.id, organizationId: who.organizationId },
      order: { createdAt: 'DESC' },
      take: RECENT_SESSIONS,
    });
    return {
      items: rows.map((s) => ({
        id: s.id,
        createdAt: s.createdAt.toISOString(),
        expiresAt: s.expiresAt.toISOString(),
        lastUsedAt: s.lastUsedAt?.toISOString() ?? null,
        ip: s.ip,
        userAgent: s.userAgent,
        current: s.id === who.sessionId,
        endedAt: s.endedAt?.toISOString() ?? null,
      })),
      total,
      page: 1,
      pageSize: RECENT_SESSIONS,
    };
  }

  async endSession(who: Principal, sessionId: string): Promise<void> {
    await this.endSessionById(who, sessionId, 'session.end');
  }

  private async endSessionById(who: Principal, sessionId: string, action: string): Promise<void> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (m) => {
      const session = await m.findOne(Session, {
        where: { id: sessionId, userId: who.id, organizationId: who.organizationId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!session || who.kind !== 'user') throw notFound('Session', sessionId);
      if (session.endedAt === null) {
        await m.update(Session, { id: session.id }, { endedAt: now });
        await this.notifier.notify(m, { kind: 'session', id: session.id });
      }
      await this.audit.record(
        {
          organizationId: who.organizationId,
          actor: actorOf(who),
          action,
          targetType: 'session',
          targetId: session.id,
          ip: who.ip,
          userAgent: who.userAgent,
          outcome: 'success',
        },
        m,
      );
    });
  }

  private async orgAllows(organizationId: string, ip: string): Promise<boolean> {
    const allowlist = await this.credentials.orgAllowlist(organizationId);
    return allowlist.size === 0 || allowlist.matches(ip);
  }

  private throwIfLimited(ip: string): void {
    const retryAfter = this.limiter.retryAfter(ip);
    if (retryAfter !== null) {
      throw new ProblemException(
        429,
        'Too Many Requests',
        'Too many failed authentications from this address',
        undefined,
        {
          'retry-after': String(retryAfter),
        },
      );
    }
  }

  /** Same answer whatever the password: it is not looked at once the account is over its limit. */
  private throwIfAccountLimited(email: string): void {
    const retryAfter = this.limiter.accountRetryAfter(email);
    if (retryAfter !== null) {
      throw new ProblemException(429, 'Too Many Requests', 'Too many failed logins for this account', undefined, {
        'retry-after': String(retryAfter),
      });
    }
  }

  private async userDto(user: User): Promise<UserDto> {
    const role = await this.dataSource.getRepository(Role).findOneBy({ id: user.roleId });
    return toUserDto(user, role);
  }
}
