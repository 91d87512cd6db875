import { randomInt } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { BUILTIN_ROLES } from '@tessera/domain';
import type { CreateOrganizationInput } from '@tessera/domain';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CLOCK } from '../common/clock';
import type { Clock } from '../common/clock';
import { actorOf } from '../common/principal';
import type { Principal } from '../common/principal';
import { conflict, forbidden, isUniqueViolation } from '../common/problem';
import { Role } from '../roles/role.entity';
import { User } from '../users/user.entity';
import { emailTaken, hashPassword, toUserDto } from '../users/users.service';
import type { CreatedOrganizationDto } from './dto/organization.dto';
import { Organization } from './organization.entity';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** 24 characters from a 57-letter alphabet (≈140 bits), crypto RNG, no look-alike characters. */
export function generatePassword(length = 24): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/**
 * Creates an organization with its built-in roles ("All permissions", "Read only") and its first
 * admin (role "All permissions") in the given transaction.
 */
export async function provisionOrganization(
  m: EntityManager,
  input: { name: string; isRoot: boolean; adminEmail: string; adminDisplayName?: string; passwordHash: string; now: Date },
): Promise<{ organization: Organization; admin: User; roles: Role[] }> {
  const orgId = (
    await m.getRepository(Organization).insert({ name: input.name, isRoot: input.isRoot, createdAt: input.now, updatedAt: input.now })
  ).identifiers[0] as { id: string };
  const roles: Role[] = [];
  for (const builtIn of BUILTIN_ROLES) {
    const inserted = await m.getRepository(Role).insert({
      organizationId: orgId.id,
      name: builtIn.name,
      description: builtIn.description,
      permissions: [...builtIn.permissions],
      builtIn: true,
      createdAt: input.now,
      updatedAt: input.now,
    });
    roles.push(await m.getRepository(Role).findOneOrFail({ where: { id: (inserted.identifiers[0] as { id: string }).id } }));
  }
  const adminRole = roles.find((r) => r.permissions.includes('*:*')) ?? roles[0];
  if (!adminRole) throw new Error('BUILTIN_ROLES is empty');
  const email = input.adminEmail.trim().toLowerCase();
  const userId = (
    await m.getRepository(User).insert({
      organizationId: orgId.id,
      email,
      displayName: input.adminDisplayName ?? 'Administrator',
      passwordHash: input.passwordHash,
      roleId: adminRole.id,
      active: true,
      createdAt: input.now,
      updatedAt: input.now,
      lastLoginAt: null,
    })
  ).identifiers[0] as { id: string };
  return {
    organization: await m.getRepository(Organization).findOneOrFail({ where: { id: orgId.id } }),
    admin: await m.getRepository(User).findOneOrFail({ where: { id: userId.id } }),
    roles,
  };
}

/**
 * Only principals of the first (root) organization create organizations. They get back the new
 * organization and its admin, and see nothing inside it afterwards: every other route is scoped to
 * the caller's own organization.
 */
@Injectable()
export class OrganizationsService {
  private readonly logger = new Logger(OrganizationsService.name);

  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(who: Principal, input: CreateOrganizationInput): Promise<CreatedOrganizationDto> {
    if (!who.organizationIsRoot) throw forbidden('Only principals of the first organization may create organizations');
    const generated = input.adminPassword === undefined ? generatePassword() : undefined;
    const passwordHash = await hashPassword(input.adminPassword ?? generated ?? '');
    try {
      return await this.db.transaction(async (m) => {
        if (await m.getRepository(User).createQueryBuilder('u').where('lower(u.email) = lower(:e)', { e: input.adminEmail }).getExists()) {
          throw emailTaken('adminEmail');
        }
        const now = this.clock.now();
        const { organization, admin, roles } = await provisionOrganization(m, {
          name: input.name,
          isRoot: false,
          adminEmail: input.adminEmail,
          passwordHash,
          now,
        });
        await this.audit.record(
          {
            organizationId: who.organizationId,
            actor: actorOf(who),
            action: 'organization.create',
            targetType: 'organization',
            targetId: organization.id,
            targetName: organization.name,
            ip: who.ip,
            userAgent: who.userAgent,
            outcome: 'success',
            details: { adminEmail: admin.email, passwordGenerated: generated !== undefined },
          },
          m,
        );
        this.logger.log(`organization.create ${organization.id} by ${who.kind} ${who.id}`);
        const adminRole = roles.find((r) => r.id === admin.roleId) ?? null;
        return {
          organization: { id: organization.id, name: organization.name, createdAt: organization.createdAt.toISOString() },
          admin: toUserDto(admin, adminRole),
          ...(generated !== undefined ? { adminPassword: generated } : {}),
        };
      });
    } catch (error) {
      if (isUniqueViolation(error, 'uq_organizations_name_lower')) {
        throw conflict('An organization with this name already exists', [{ field: 'name', message: 'is already taken' }]);
      }
      if (isUniqueViolation(error, 'uq_users_email_lower')) throw emailTaken('adminEmail');
      throw error;
    }
  }
}
