import { Inject, Injectable, Logger } from '@nestjs/common';
import { roleRefusals } from '@tessera/domain';
import type { CreateRoleInput, RoleChange, RoleDto, RoleHolder, UpdateRoleInput } from '@tessera/domain';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ChangeNotifier } from '../credentials/change-notifier';
import { CLOCK } from '../common/clock';
import type { Clock } from '../common/clock';
import type { Principal } from '../common/principal';
import { type ProblemException, conflict, isUniqueViolation, notFound } from '../common/problem';
import { callerRights, isSelf, tokenRights } from '../tokens/caller-rights';
import { Token } from '../tokens/token.entity';
import { recordChange, runAuditedChange } from '../audit/audited-change';
import { assertNoRefusals } from '../common/wider-than-caller';
import { User } from '../users/user.entity';
import { Role } from './role.entity';
import { PermissionCatalog } from '../config/permission-catalog';

export function toRoleDto(role: Role): RoleDto {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    permissions: role.permissions,
    builtIn: role.builtIn,
    createdAt: role.createdAt.toISOString(),
    updatedAt: role.updatedAt.toISOString(),
  };
}

/**
 * Roles of the caller's organization. Built-in roles are read-only; a role in use cannot be
 * deleted; a role edit takes effect on the next request of every token and user holding it
 * (ChangeNotifier in the same transaction).
 *
 * Every change is decided by the domain's `roleRefusals`: the caller covers the role's permissions
 * (as they are and as the change leaves them), and an edit of the permissions is an edit of every
 * token and user holding the role. A refusal is a 403 with a failure audit row; nothing is written.
 */
@Injectable()
export class RolesService {
  private readonly logger = new Logger(RolesService.name);

  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly changes: ChangeNotifier,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly catalog: PermissionCatalog,
  ) {}

  async list(who: Principal): Promise<RoleDto[]> {
    const roles = await this.db.getRepository(Role).find({
      where: { organizationId: who.organizationId },
      order: { builtIn: 'DESC', nameLower: 'ASC' },
    });
    return roles.map(toRoleDto);
  }

  async get(who: Principal, id: string): Promise<RoleDto> {
    return toRoleDto(await this.load(this.db.manager, who.organizationId, id));
  }

  async create(who: Principal, input: CreateRoleInput): Promise<RoleDto> {
    const permissions = [...new Set(input.permissions)];
    return this.mutate({ who, action: 'role.create', targetId: null }, async (m) => {
      await this.authorize(m, who, { kind: 'create', result: permissions });
      await this.assertNameFree(m, who.organizationId, input.name);
      const now = this.clock.now();
      const inserted = await m.getRepository(Role).insert({
        organizationId: who.organizationId,
        name: input.name,
        description: input.description ?? '',
        permissions,
        builtIn: false,
        createdAt: now,
        updatedAt: now,
      });
      const id = (inserted.identifiers[0] as { id: string }).id;
      const role = await this.load(m, who.organizationId, id);
      await this.record(m, who, 'role.create', role, { permissions });
      return toRoleDto(role);
    });
  }

  async update(who: Principal, id: string, input: UpdateRoleInput): Promise<RoleDto> {
    return this.mutate({ who, action: 'role.update', targetId: id }, async (m) => {
      const current = await this.load(m, who.organizationId, id, true);
      if (current.builtIn) throw conflict(`"${current.name}" is a built-in role and cannot be changed`);
      const patch: Partial<Role> = {};
      if (input.name !== undefined && input.name !== current.name) {
        if (input.name.toLowerCase() !== current.nameLower) await this.assertNameFree(m, who.organizationId, input.name, id);
        patch.name = input.name;
      }
      if (input.description !== undefined && input.description !== current.description) patch.description = input.description;
      if (input.permissions !== undefined) {
        const permissions = [...new Set(input.permissions)];
        if (permissions.join('\n') !== current.permissions.join('\n')) patch.permissions = permissions;
      }
      // The caller covers the role as it is and as it will be; a new set of permissions is a
      // change of every token and user holding the role.
      await this.authorize(m, who, {
        kind: 'update',
        current: current.permissions,
        result: patch.permissions ?? current.permissions,
        holders: patch.permissions ? await this.holders(m, who, id) : [],
      });
      if (Object.keys(patch).length === 0) return toRoleDto(current);
      await m.getRepository(Role).update({ id, organizationId: who.organizationId }, { ...patch, updatedAt: this.clock.now() });
      const role = await this.load(m, who.organizationId, id);
      await this.record(m, who, 'role.update', role, {
        changed: Object.keys(patch),
        ...(patch.permissions ? { permissions: { from: current.permissions, to: role.permissions } } : {}),
        ...(patch.name ? { name: { from: current.name, to: role.name } } : {}),
      });
      return toRoleDto(role);
    });
  }

  async remove(who: Principal, id: string): Promise<void> {
    await this.mutate({ who, action: 'role.delete', targetId: id }, async (m) => {
      const role = await this.load(m, who.organizationId, id, true);
      if (role.builtIn) throw conflict(`"${role.name}" is a built-in role and cannot be deleted`);
      await this.authorize(m, who, { kind: 'delete', current: role.permissions });
      const tokens = await m.getRepository(Token).count({ where: { organizationId: who.organizationId, roleId: id } });
      const users = await m.getRepository(User).count({ where: { organizationId: who.organizationId, roleId: id } });
      if (tokens + users > 0) {
        throw conflict(
          `The role "${role.name}" is in use by ${plural(tokens, 'token')} and ${plural(users, 'user')}; ` +
            'assign them another role first',
        );
      }
      await m.getRepository(Role).delete({ id, organizationId: who.organizationId });
      await this.record(m, who, 'role.delete', role, { permissions: role.permissions });
    });
  }

  private async authorize(m: EntityManager, who: Principal, change: RoleChange): Promise<void> {
    assertNoRefusals('role', roleRefusals(await callerRights(m, who, this.catalog.resources), change, this.clock.now()));
  }

  /** Tokens and users holding the role, with what they have apart from it. */
  private async holders(m: EntityManager, who: Principal, roleId: string): Promise<RoleHolder[]> {
    const where = { organizationId: who.organizationId, roleId };
    const tokens = await m.getRepository(Token).find({ where });
    const users = await m.getRepository(User).find({ where });
    return [
      ...tokens.map((t) => ({ label: `token "${t.name}"`, own: tokenRights(t, null, this.catalog.resources), self: isSelf(who, 'token', t.id) })),
      ...users.map((u) => ({ label: `user ${u.email}`, own: { permissions: [] }, self: isSelf(who, 'user', u.id) })),
    ];
  }

  /** Runs a change in a transaction (runAuditedChange); a name clash or a role still in use is a 409. */
  private mutate<T>(attempt: { who: Principal; action: string; targetId: string | null }, work: (m: EntityManager) => Promise<T>): Promise<T> {
    return runAuditedChange(this.db, this.audit, { ...attempt, targetType: 'role' }, work, (error) => {
      if (isUniqueViolation(error, 'uq_roles_org_name_lower')) return nameTaken();
      if ((error as { driverError?: { code?: string } }).driverError?.code === '23503') {
        return conflict('The role is in use; assign its tokens and users another role first');
      }
      return undefined;
    });
  }

  private async load(m: EntityManager, organizationId: string, id: string, lock = false): Promise<Role> {
    const role = await m.getRepository(Role).findOne({
      where: { id, organizationId },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!role) throw notFound('Role');
    return role;
  }

  private async assertNameFree(m: EntityManager, organizationId: string, name: string, exceptId?: string): Promise<void> {
    const qb = m
      .getRepository(Role)
      .createQueryBuilder('r')
      .where('r.organizationId = :org AND r.nameLower = lower(:name)', { org: organizationId, name });
    if (exceptId) qb.andWhere('r.id <> :exceptId', { exceptId });
    if (await qb.getExists()) throw nameTaken();
  }

  private async record(m: EntityManager, who: Principal, action: string, role: Role, details: Record<string, unknown>): Promise<void> {
    await recordChange(this.audit, m, who, action, { type: 'role', id: role.id, name: role.name }, details);
    await this.changes.notify(m, { kind: 'role', id: role.id, org: role.organizationId });
    this.logger.log(`${action} ${role.id} by ${who.kind} ${who.id}`);
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function nameTaken(): ProblemException {
  return conflict('A role with this name already exists in the organization', [
    { field: 'name', message: 'is already used by another role (names are case-insensitive)' },
  ]);
}
