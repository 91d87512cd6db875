import { Injectable, Logger } from '@nestjs/common';
import type { CreateOrganizationInput } from '@tessera/domain';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { PasswordHasher } from '../auth/password-hasher';
import { actorOf } from '../common/principal';
import type { Principal } from '../common/principal';
import { conflict, forbidden, isUniqueViolation } from '../common/problem';
import { createOrganizationWithAdmin, generatePassword } from './organization-creation';
import { User } from '../users/user.entity';
import { emailTaken, toUserDto } from '../users/users.service';
import type { CreatedOrganizationDto } from './dto/organization.dto';

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
    private readonly hasher: PasswordHasher,
  ) {}

  async create(who: Principal, input: CreateOrganizationInput): Promise<CreatedOrganizationDto> {
    if (!who.organizationIsRoot) throw forbidden('Only principals of the first organization may create organizations');
    const generated = input.adminPassword === undefined ? generatePassword() : undefined;
    const passwordHash = await this.hasher.hashForRequest(input.adminPassword ?? generated ?? '');
    try {
      return await this.db.transaction(async (m) => {
        if (await m.getRepository(User).createQueryBuilder('u').where('lower(u.email) = lower(:e)', { e: input.adminEmail }).getExists()) {
          throw emailTaken('adminEmail');
        }
        const { organization, admin, roles } = await createOrganizationWithAdmin(m, {
          name: input.name,
          isRoot: false,
          adminEmail: input.adminEmail,
          adminPasswordHash: passwordHash,
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
