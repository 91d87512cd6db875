import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type AcceptInvitationInput,
  type AcceptedInvitationDto,
  type CreateInvitationInput,
  type CreatedInvitationDto,
  generateTokenSecret,
  INVITATION_PREFIX,
  invitationExpiry,
  invitationLink,
  type InvitationDto,
  type InvitationListQuery,
  invitationStatus,
  isWellFormedInvitationSecret,
  type Page,
  type PrincipalChangeKind,
  refusalsOf,
  userRights,
} from '@tessera/domain';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { recordChange, runAuditedChange } from '../audit/audited-change';
import { AuthFailureLimiter } from '../auth/failure-limiter';
import { HashQueueFullError, PasswordHasher } from '../auth/password-hasher';
import { startSession } from '../auth/start-session';
import { CLOCK, type Clock } from '../common/clock';
import type { RequestContext } from '../common/http-request';
import { actorOf, type Principal } from '../common/principal';
import { badRequest, conflict, isUniqueViolation, notFound, ProblemException } from '../common/problem';
import { hashTokenSecret } from '../common/secret-hash';
import { assertNoRefusals } from '../common/wider-than-caller';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Organization } from '../organizations/organization.entity';
import { Role } from '../roles/role.entity';
import { callerRights } from '../tokens/caller-rights';
import { User } from '../users/user.entity';
import { emailTaken, toUserDto } from '../users/users.service';
import { Invitation } from './invitation.entity';
import { InvitationMailer } from './invitation-mailer';
import { toInvitationDto } from './invitation-mapper';
import { PermissionCatalog } from '../config/permission-catalog';

type InvitationWithRole = Invitation & { role?: Role | null };

/** Why an accept was refused; only the audit row tells (the answer is the same 410 for all). */
type BrokenReason = 'malformed' | 'unknown' | 'accepted' | 'expired';

/** 410 problem+json for every link that cannot be used: used, expired, deleted or never issued. */
export function brokenLink(): ProblemException {
  return new ProblemException(410, 'Gone', 'This invitation link is broken: it was used, has expired or was withdrawn. Ask for a new invitation.');
}

function hashQueueFull(): ProblemException {
  return new ProblemException(503, 'Service Unavailable', 'Too many password operations in progress; try again shortly', undefined, {
    'retry-after': '1',
  });
}

/**
 * Invitations by link (SPEC §8, seed 001). An invitation is a user-to-be in a role: inviting,
 * resending (a new secret) and withdrawing it are decided by the domain's `refusalsOf`, as for
 * creating that user; the caller must cover the role. Only the SHA-256 of a link's secret is kept,
 * the secret is returned once (and e-mailed when SMTP_URL is set). Accepting is public: a used,
 * expired, withdrawn or unknown secret answers 410 and counts as a failed authentication of the
 * address (the failure limiter's 429 past the limit), so secrets cannot be guessed at speed.
 */
@Injectable()
export class InvitationsService {
  private readonly logger = new Logger(InvitationsService.name);

  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly hasher: PasswordHasher,
    private readonly limiter: AuthFailureLimiter,
    private readonly mailer: InvitationMailer,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly catalog: PermissionCatalog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(who: Principal, query: InvitationListQuery): Promise<Page<InvitationDto>> {
    const now = this.clock.now();
    const qb = this.db
      .getRepository(Invitation)
      .createQueryBuilder('i')
      .leftJoinAndMapOne('i.role', Role, 'r', 'r.id = i.roleId')
      .where('i.organizationId = :org AND i.acceptedAt IS NULL', { org: who.organizationId });
    // The SQL side of `invitationStatus` for unaccepted rows (expired from expiresAt on).
    if (query.status === 'pending') qb.andWhere('i.expiresAt > :now', { now });
    if (query.status === 'expired') qb.andWhere('i.expiresAt <= :now', { now });
    const [rows, total] = await qb
      .orderBy('i.createdAt', 'DESC')
      .addOrderBy('i.id', 'ASC')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize)
      .getManyAndCount();
    return {
      items: (rows as InvitationWithRole[]).map((i) => toInvitationDto(i, i.role, now)),
      total,
      page: query.page,
      pageSize: query.pageSize,
    };
  }

  async create(who: Principal, input: CreateInvitationInput, baseUrl: string): Promise<CreatedInvitationDto> {
    const secret = generateTokenSecret(INVITATION_PREFIX);
    const created = await this.mutate({ who, action: 'invitation.create', targetId: null }, async (m) => {
      const role = await this.findRole(m, who.organizationId, input.roleId);
      await this.authorize(m, who, 'create', role);
      const email = input.email;
      if (await m.getRepository(User).createQueryBuilder('u').where('lower(u.email) = :email', { email }).getExists()) throw emailTaken();
      const now = this.clock.now();
      const open = await m
        .getRepository(Invitation)
        .createQueryBuilder('i')
        .where('i.organizationId = :org AND i.email = :email AND i.acceptedAt IS NULL', { org: who.organizationId, email })
        .setLock('pessimistic_write')
        .getOne();
      if (open && invitationStatus(open, now) === 'pending') throw alreadyInvited();
      // An expired invitation to the same address gives way to the new one.
      if (open) await m.getRepository(Invitation).delete({ id: open.id });
      const inserted = await m.getRepository(Invitation).insert({
        organizationId: who.organizationId,
        email,
        roleId: role.id,
        secretHash: hashTokenSecret(secret),
        sentAt: now,
        expiresAt: invitationExpiry(now),
        invitedBy: actorOf(who),
        createdAt: now,
        acceptedAt: null,
        acceptedUserId: null,
      });
      const id = (inserted.identifiers[0] as { id: string }).id;
      const invitation = await this.load(m, who.organizationId, id);
      await this.record(m, who, 'invitation.create', invitation, {
        email,
        roleId: role.id,
        roleName: role.name,
        expiresAt: invitation.expiresAt.toISOString(),
        ...(open ? { replacedExpired: open.id } : {}),
      });
      return invitation;
    });
    return this.deliver(who, created, secret, baseUrl);
  }

  async resend(who: Principal, id: string, baseUrl: string): Promise<CreatedInvitationDto> {
    const secret = generateTokenSecret(INVITATION_PREFIX);
    const resent = await this.mutate({ who, action: 'invitation.resend', targetId: id }, async (m) => {
      const current = await this.load(m, who.organizationId, id, true);
      if (current.acceptedAt) throw alreadyAccepted();
      await this.authorize(m, who, 'regenerate', current.role ?? null);
      const now = this.clock.now();
      await m
        .getRepository(Invitation)
        .update({ id, organizationId: who.organizationId }, { secretHash: hashTokenSecret(secret), sentAt: now, expiresAt: invitationExpiry(now) });
      const invitation = await this.load(m, who.organizationId, id);
      await this.record(m, who, 'invitation.resend', invitation, { expiresAt: invitation.expiresAt.toISOString() });
      return invitation;
    });
    return this.deliver(who, resent, secret, baseUrl);
  }

  async remove(who: Principal, id: string): Promise<void> {
    await this.mutate({ who, action: 'invitation.delete', targetId: id }, async (m) => {
      const current = await this.load(m, who.organizationId, id, true);
      if (current.acceptedAt) throw alreadyAccepted();
      await this.authorize(m, who, 'delete', current.role ?? null);
      await m.getRepository(Invitation).delete({ id, organizationId: who.organizationId });
      await this.record(m, who, 'invitation.delete', current, { email: current.email, roleId: current.roleId });
    });
  }

  /**
   * Public: the secret of a pending invitation → a new user in the inviting organization with the
   * invited role, logged in. The row is locked and checked again inside the transaction, so a link
   * works once even when used twice at the same moment.
   */
  async accept(input: AcceptInvitationInput, ctx: RequestContext): Promise<AcceptedInvitationDto> {
    const retryAfter = this.limiter.retryAfter(ctx.ip);
    if (retryAfter !== null) {
      throw new ProblemException(429, 'Too Many Requests', 'Too many failed authentications from this address', undefined, {
        'retry-after': String(retryAfter),
      });
    }
    if (!isWellFormedInvitationSecret(input.secret)) throw this.broken('malformed', null, ctx);
    const secretHash = hashTokenSecret(input.secret);
    const found = await this.db.getRepository(Invitation).findOne({ where: { secretHash } });
    const problem = this.problemOf(found);
    if (problem) throw this.broken(problem, found, ctx);

    const passwordHash = await this.hasher.hashForRequest(input.password).catch((err: unknown) => {
      throw err instanceof HashQueueFullError ? hashQueueFull() : err;
    });
    try {
      return await this.db.transaction(async (m) => {
        const invitation = await m
          .getRepository(Invitation)
          .createQueryBuilder('i')
          .where('i.id = :id AND i.secretHash = :secretHash', { id: found?.id, secretHash })
          .setLock('pessimistic_write')
          .getOne();
        const again = this.problemOf(invitation);
        if (again || !invitation) throw this.broken(again ?? 'unknown', invitation, ctx);
        const role = await m.getRepository(Role).findOneBy({ id: invitation.roleId, organizationId: invitation.organizationId });
        if (!role) throw this.broken('unknown', invitation, ctx);
        if (await m.getRepository(User).createQueryBuilder('u').where('lower(u.email) = :email', { email: invitation.email }).getExists()) {
          throw emailTaken();
        }
        const now = this.clock.now();
        const inserted = await m.getRepository(User).insert({
          organizationId: invitation.organizationId,
          email: invitation.email,
          displayName: input.displayName,
          passwordHash,
          roleId: role.id,
          active: true,
          createdAt: now,
          updatedAt: now,
          lastLoginAt: null,
        });
        const userId = (inserted.identifiers[0] as { id: string }).id;
        await m.getRepository(Invitation).update({ id: invitation.id }, { acceptedAt: now, acceptedUserId: userId });
        const user = await m.getRepository(User).findOneByOrFail({ id: userId });
        const { session, secret, expiresAt } = await startSession(m, {
          user,
          now,
          ttlSeconds: this.config.sessionTtlSeconds,
          ip: ctx.ip,
          userAgent: ctx.userAgent,
        });
        user.lastLoginAt = now;
        const actor = { kind: 'user' as const, id: user.id, name: user.displayName };
        const base = { organizationId: invitation.organizationId, actor, ip: ctx.ip, userAgent: ctx.userAgent, outcome: 'success' as const };
        await this.audit.record(
          {
            ...base,
            action: 'invitation.accept',
            targetType: 'invitation',
            targetId: invitation.id,
            targetName: invitation.email,
            details: { userId, roleId: role.id, roleName: role.name, invitedBy: invitation.invitedBy },
          },
          m,
        );
        await this.audit.record(
          {
            ...base,
            action: 'user.create',
            targetType: 'user',
            targetId: user.id,
            targetName: user.email,
            details: { email: user.email, roleId: role.id, roleName: role.name, invitationId: invitation.id },
          },
          m,
        );
        await this.audit.record({ ...base, action: 'auth.login', targetType: 'session', targetId: session.id }, m);
        this.logger.log(`invitation.accept ${invitation.id} → user ${user.id}`);
        return { token: secret, expiresAt: expiresAt.toISOString(), user: toUserDto(user, role) };
      });
    } catch (error) {
      if (isUniqueViolation(error, 'uq_users_email_lower')) throw emailTaken();
      throw error;
    }
  }

  /** Why this invitation's link cannot be used now, or null when it can. */
  private problemOf(invitation: Invitation | null | undefined): BrokenReason | null {
    if (!invitation) return 'unknown';
    const status = invitationStatus(invitation, this.clock.now());
    return status === 'pending' ? null : status;
  }

  /** Counts the failure against the address, audits the precise reason, answers the same 410 for all. */
  private broken(reason: BrokenReason, invitation: Invitation | null | undefined, ctx: RequestContext): ProblemException {
    this.limiter.recordFailure(ctx.ip);
    this.audit.recordDenied({
      organizationId: invitation?.organizationId ?? null,
      actor: null,
      action: 'invitation.accept',
      targetType: 'invitation',
      targetId: invitation?.id ?? null,
      targetName: invitation?.email ?? null,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      outcome: 'failure',
      reason,
    });
    return brokenLink();
  }

  /** After the commit: the link once in the answer, and by e-mail when SMTP is configured. */
  private async deliver(who: Principal, invitation: InvitationWithRole, secret: string, baseUrl: string): Promise<CreatedInvitationDto> {
    const link = invitationLink(this.config.publicUrl ?? baseUrl, secret);
    let emailed = false;
    if (this.mailer.enabled) {
      const organization = await this.db.getRepository(Organization).findOneBy({ id: who.organizationId });
      emailed = await this.mailer.send({
        to: invitation.email,
        link,
        organizationName: organization?.name ?? who.organizationName ?? '',
        roleName: invitation.role?.name ?? '',
        invitedBy: who.name,
        expiresAt: invitation.expiresAt,
      });
    }
    return { invitation: toInvitationDto(invitation, invitation.role, this.clock.now()), link, emailed };
  }

  /** The caller must cover the invited role as a user would hold it (creating, re-issuing or withdrawing). */
  private async authorize(m: EntityManager, who: Principal, kind: PrincipalChangeKind, role: Role | null): Promise<void> {
    const rights = userRights(this.catalog.effective(role?.permissions));
    const change = kind === 'create' ? { kind, result: rights } : { kind, current: rights };
    assertNoRefusals('invitation', refusalsOf(await callerRights(m, who, this.catalog.resources), change, this.clock.now()), 'roleId');
  }

  private async load(m: EntityManager, organizationId: string, id: string, lock = false): Promise<InvitationWithRole> {
    if (lock) {
      await m
        .getRepository(Invitation)
        .createQueryBuilder('i')
        .select('i.id')
        .where('i.id = :id AND i.organizationId = :org', { id, org: organizationId })
        .setLock('pessimistic_write')
        .getOne();
    }
    const invitation = (await m
      .getRepository(Invitation)
      .createQueryBuilder('i')
      .leftJoinAndMapOne('i.role', Role, 'r', 'r.id = i.roleId')
      .where('i.id = :id AND i.organizationId = :org', { id, org: organizationId })
      .getOne()) as InvitationWithRole | null;
    if (!invitation) throw notFound('Invitation');
    return invitation;
  }

  private async findRole(m: EntityManager, organizationId: string, roleId: string): Promise<Role> {
    const role = await m.getRepository(Role).findOne({ where: { id: roleId, organizationId } });
    if (!role) throw badRequest('Unknown role', [{ field: 'roleId', message: 'No such role in this organization' }]);
    return role;
  }

  private mutate<T>(attempt: { who: Principal; action: string; targetId: string | null }, work: (m: EntityManager) => Promise<T>): Promise<T> {
    return runAuditedChange(this.db, this.audit, { ...attempt, targetType: 'invitation' }, work, (error) =>
      isUniqueViolation(error, 'uq_invitations_org_email_open') ? alreadyInvited() : undefined,
    );
  }

  private async record(m: EntityManager, who: Principal, action: string, invitation: Invitation, details: Record<string, unknown>): Promise<void> {
    await recordChange(this.audit, m, who, action, { type: 'invitation', id: invitation.id, name: invitation.email }, details);
    this.logger.log(`${action} ${invitation.id} by ${who.kind} ${who.id}`);
  }
}

function alreadyInvited(): ProblemException {
  return conflict('This address already has a pending invitation; resend it instead', [{ field: 'email', message: 'is already invited' }]);
}

function alreadyAccepted(): ProblemException {
  return conflict('The invitation was accepted; manage the user instead');
}
