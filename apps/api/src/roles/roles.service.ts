import { Inject, Injectable, Logger } from '@nestjs/common';
import { permissionGrants } from '@tessera/domain';
import type { CreateRoleInput, RoleDto, UpdateRoleInput } from '@tessera/domain';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ChangeNotifier } from '../auth/auth-events';
import { CLOCK } from '../common/clock';
import type { Clock } from '../common/clock';
import { actorOf } from '../common/principal';
import type { Principal } from '../common/principal';
import { ProblemException, conflict, isUniqueViolation, notFound } from '../common/problem';
import { Token } from '../tokens/token.entity';
import { User } from '../users/user.entity';
import { Role } from './role.entity';

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
 */
@Injectable()
export class RolesService {
  private readonly logger = new Logger(RolesService.name);

  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly changes: ChangeNotifier,
    @Inject(CLOCK) private readonly clock: Clock,
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
    assertWithinCaller(who, permissions);
    return this.mutate(async (m) => {
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
    return this.mutate(async (m) => {
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
        // Keeping what the role has is fine; only what the edit adds must be within the caller.
        assertWithinCaller(who, permissions.filter((p) => !permissionGrants(current.permissions, p)));
        if (permissions.join('\n') !== current.permissions.join('\n')) patch.permissions = permissions;
      }
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
    await this.mutate(async (m) => {
      const role = await this.load(m, who.organizationId, id, true);
      if (role.builtIn) throw conflict(`"${role.name}" is a built-in role and cannot be deleted`);
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

  private async mutate<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(work);
    } catch (error) {
      if (isUniqueViolation(error, 'uq_roles_org_name_lower')) throw nameTaken();
      if ((error as { driverError?: { code?: string } }).driverError?.code === '23503') {
        throw conflict('The role is in use; assign its tokens and users another role first');
      }
      throw error;
    }
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
    await this.audit.record(
      {
        organizationId: who.organizationId,
        actor: actorOf(who),
        action,
        targetType: 'role',
        targetId: role.id,
        targetName: role.name,
        ip: who.ip,
        userAgent: who.userAgent,
        outcome: 'success',
        details,
      },
      m,
    );
    await this.changes.notify(m, { kind: 'role', id: role.id });
    this.logger.log(`${action} ${role.id} by ${who.kind} ${who.id}`);
  }
}

/** Nobody grants more than they hold: a role's permissions must be covered by the caller's. */
export function assertWithinCaller(who: Principal, permissions: readonly string[]): void {
  const wider = permissions.filter((p) => !who.permissions.covers([p]));
  if (wider.length > 0) {
    throw new ProblemException(403, 'Forbidden', `These permissions are wider than your own: ${wider.join(', ')}`, [
      { field: 'permissions', message: `wider than the caller's permissions: ${wider.join(', ')}` },
    ]);
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
