import { Inject, Injectable, Logger } from '@nestjs/common';
import { refusalsOf, userRights } from '@tessera/domain';
import type { CreateUserInput, UpdateUserInput, UserDto } from '@tessera/domain';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ChangeNotifier } from '../credentials/change-notifier';
import { PasswordHasher } from '../auth/password-hasher';
import { endUserSessions } from '../auth/end-sessions';
import { CLOCK } from '../common/clock';
import type { Clock } from '../common/clock';
import type { Principal } from '../common/principal';
import { ProblemException, badRequest, conflict, isUniqueViolation, notFound } from '../common/problem';
import { Role } from '../roles/role.entity';
import { callerRights, isSelf } from '../tokens/caller-rights';
import { recordChange, runAuditedChange } from '../audit/audited-change';
import { assertNoRefusals } from '../common/wider-than-caller';
import { User } from './user.entity';
import { PermissionCatalog } from '../config/permission-catalog';

type UserWithRole = User & { role?: Role | null };

export function toUserDto(user: User, role: Pick<Role, 'name'> | null): UserDto {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    roleId: user.roleId,
    roleName: role?.name ?? '',
    active: user.active,
    createdAt: user.createdAt.toISOString(),
    lastLoginAt: user.lastLoginAt ? user.lastLoginAt.toISOString() : null,
  };
}

export function emailTaken(field = 'email'): ProblemException {
  return conflict('A user with this email already exists', [{ field, message: 'is already registered' }]);
}

/**
 * Users of the caller's organization. Emails are unique across all organizations (they log in
 * with it). Deactivating a user or setting a new password ends their open sessions.
 *
 * A user is a principal with its role's permissions and no limits. Creating one, and every change
 * of one (role, active, password, display name), is decided by the domain's `refusalsOf`: the
 * caller must cover the user as it is (unless it is that user) and as the change leaves it. A
 * refusal is a 403 with a failure audit row, and nothing is written.
 */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly changes: ChangeNotifier,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly catalog: PermissionCatalog,
    private readonly hasher: PasswordHasher,
  ) {}

  async list(who: Principal): Promise<UserDto[]> {
    const users = (await this.query(this.db.manager, who.organizationId).orderBy('u.email', 'ASC').getMany()) as UserWithRole[];
    return users.map((u) => toUserDto(u, u.role ?? null));
  }

  async get(who: Principal, id: string): Promise<UserDto> {
    const user = await this.load(this.db.manager, who.organizationId, id);
    return toUserDto(user, user.role ?? null);
  }

  async create(who: Principal, input: CreateUserInput): Promise<UserDto> {
    const passwordHash = await this.hasher.hashForRequest(input.password);
    return this.mutate({ who, action: 'user.create', targetId: null }, async (m) => {
      const role = await this.findRole(m, who.organizationId, input.roleId);
      const result = userRights(this.catalog.effective(role.permissions));
      assertNoRefusals('user', refusalsOf(await callerRights(m, who, this.catalog.resources), { kind: 'create', result }, this.clock.now()), 'roleId');
      const email = input.email.trim().toLowerCase();
      if (await m.getRepository(User).createQueryBuilder('u').where('lower(u.email) = :email', { email }).getExists()) {
        throw emailTaken();
      }
      const now = this.clock.now();
      const inserted = await m.getRepository(User).insert({
        organizationId: who.organizationId,
        email,
        displayName: input.displayName,
        passwordHash,
        roleId: role.id,
        active: true,
        createdAt: now,
        updatedAt: now,
        lastLoginAt: null,
      });
      const id = (inserted.identifiers[0] as { id: string }).id;
      const user = await this.load(m, who.organizationId, id);
      await this.record(m, who, 'user.create', user, { email, roleId: role.id, roleName: role.name });
      return toUserDto(user, user.role ?? null);
    });
  }

  /**
   * PATCH users/:id, and the one place a user's password, active flag or role changes on behalf
   * of a caller (other routes that set a password call this, so the rule below holds for them too).
   */
  async update(who: Principal, id: string, input: UpdateUserInput): Promise<UserDto> {
    const passwordHash = input.password !== undefined ? await this.hasher.hashForRequest(input.password) : undefined;
    return this.mutate({ who, action: 'user.update', targetId: id }, async (m) => {
      const current = await this.load(m, who.organizationId, id, true);
      const self = isSelf(who, 'user', id);
      const patch: Partial<User> = {};
      let role: Role | null = current.role ?? null;
      const changed: string[] = [];
      if (input.displayName !== undefined && input.displayName !== current.displayName) {
        patch.displayName = input.displayName;
        changed.push('displayName');
      }
      if (input.roleId !== undefined && input.roleId !== current.roleId) {
        if (self) throw conflict('You cannot change your own role; ask another admin');
        role = await this.findRole(m, who.organizationId, input.roleId);
        patch.roleId = role.id;
        changed.push('roleId');
      }
      if (input.active !== undefined && input.active !== current.active) {
        if (self && !input.active) throw conflict('You cannot deactivate yourself');
        patch.active = input.active;
        changed.push('active');
      }
      if (passwordHash !== undefined) {
        patch.passwordHash = passwordHash;
        changed.push('password');
      }
      // The caller covers the user as it is (old role) and as the change leaves it (new role).
      const change = {
        kind: 'update' as const,
        current: userRights(this.catalog.effective(current.role?.permissions)),
        result: userRights(this.catalog.effective(role?.permissions)),
        self,
      };
      assertNoRefusals('user', refusalsOf(await callerRights(m, who, this.catalog.resources), change, this.clock.now()), 'roleId');
      if (changed.length === 0) return toUserDto(current, current.role ?? null);

      const now = this.clock.now();
      await m.getRepository(User).update({ id, organizationId: who.organizationId }, { ...patch, updatedAt: now });
      let endedSessions = 0;
      if (patch.active === false || passwordHash !== undefined) {
        // A new password or a deactivation ends the user's sessions (except the caller's own one);
        // record() below announces the user change to every instance.
        endedSessions = await endUserSessions(m, {
          userId: id,
          organizationId: who.organizationId,
          now,
          ...(who.sessionId ? { keepSessionId: who.sessionId } : {}),
        });
      }
      const user = await this.load(m, who.organizationId, id);
      await this.record(m, who, 'user.update', user, {
        changed,
        ...(patch.roleId ? { roleId: { from: current.roleId, to: user.roleId } } : {}),
        ...(patch.active !== undefined ? { active: user.active } : {}),
        ...(endedSessions > 0 ? { endedSessions } : {}),
      });
      return toUserDto(user, user.role ?? null);
    });
  }

  private query(m: EntityManager, organizationId: string) {
    return m
      .getRepository(User)
      .createQueryBuilder('u')
      .leftJoinAndMapOne('u.role', Role, 'r', 'r.id = u.roleId')
      .where('u.organizationId = :org', { org: organizationId });
  }

  private async load(m: EntityManager, organizationId: string, id: string, lock = false): Promise<UserWithRole> {
    if (lock) {
      await m
        .getRepository(User)
        .createQueryBuilder('u')
        .select('u.id')
        .where('u.id = :id AND u.organizationId = :org', { id, org: organizationId })
        .setLock('pessimistic_write')
        .getOne();
    }
    const user = (await this.query(m, organizationId).andWhere('u.id = :id', { id }).getOne()) as UserWithRole | null;
    if (!user) throw notFound('User');
    return user;
  }

  private async findRole(m: EntityManager, organizationId: string, roleId: string): Promise<Role> {
    const role = await m.getRepository(Role).findOne({ where: { id: roleId, organizationId } });
    if (!role) throw badRequest('Unknown role', [{ field: 'roleId', message: 'No such role in this organization' }]);
    return role;
  }

  /** Runs a change in a transaction (runAuditedChange); an e-mail clash that slipped past the check is a 409. */
  private mutate<T>(attempt: { who: Principal; action: string; targetId: string | null }, work: (m: EntityManager) => Promise<T>): Promise<T> {
    return runAuditedChange(this.db, this.audit, { ...attempt, targetType: 'user' }, work, (error) =>
      isUniqueViolation(error, 'uq_users_email_lower') ? emailTaken() : undefined,
    );
  }

  private async record(m: EntityManager, who: Principal, action: string, user: User, details: Record<string, unknown>): Promise<void> {
    await recordChange(this.audit, m, who, action, { type: 'user', id: user.id, name: user.email }, details);
    await this.changes.notify(m, { kind: 'user', id: user.id });
    this.logger.log(`${action} ${user.id} by ${who.kind} ${who.id}`);
  }
}
