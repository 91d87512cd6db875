import { randomInt } from 'node:crypto';
import { BASE62_ALPHABET, BUILTIN_ROLES } from '@tessera/domain';
import type { EntityManager } from 'typeorm';
import { Organization } from './organization.entity';
import { Role } from '../roles/role.entity';
import { User } from '../users/user.entity';

export interface NewOrganization {
  name: string;
  isRoot: boolean;
  adminEmail: string;
  /** argon2id hash (PasswordHasher.hash). */
  adminPasswordHash: string;
  adminDisplayName?: string;
}

export interface CreatedOrganization {
  organization: Organization;
  roles: Role[];
  admin: User;
}

/**
 * Creates an organization with its built-in roles ("All permissions" `*:*`, "Read only" `*:read`)
 * and its first admin (role "All permissions"). Call inside a transaction. Used by the first-start
 * bootstrap and by POST /organizations.
 */
export async function createOrganizationWithAdmin(manager: EntityManager, input: NewOrganization): Promise<CreatedOrganization> {
  const organization = await manager.save(manager.create(Organization, { name: input.name, isRoot: input.isRoot }));
  const roles: Role[] = [];
  for (const builtIn of BUILTIN_ROLES) {
    roles.push(
      await manager.save(
        manager.create(Role, {
          organizationId: organization.id,
          name: builtIn.name,
          description: builtIn.description,
          permissions: builtIn.permissions,
          builtIn: true,
        }),
      ),
    );
  }
  const allPermissions = roles.find((r) => r.permissions.includes('*:*')) ?? roles[0];
  if (!allPermissions) throw new Error('BUILTIN_ROLES is empty');
  const email = input.adminEmail.trim().toLowerCase();
  const admin = await manager.save(
    manager.create(User, {
      organizationId: organization.id,
      email,
      displayName: input.adminDisplayName ?? 'Administrator',
      passwordHash: input.adminPasswordHash,
      roleId: allPermissions.id,
      active: true,
      lastLoginAt: null,
    }),
  );
  return { organization, roles, admin };
}

/** A random password of base62 characters (crypto RNG), for the generated first admin. */
export function generatePassword(length = 20): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62_ALPHABET[randomInt(BASE62_ALPHABET.length)];
  return out;
}
