import { invitationStatus, type InvitationDto } from '@tessera/domain';
import type { Role } from '../roles/role.entity';
import type { Invitation } from './invitation.entity';

export function toInvitationDto(inv: Invitation, role: Pick<Role, 'name'> | null | undefined, now: Date): InvitationDto {
  return {
    id: inv.id,
    email: inv.email,
    roleId: inv.roleId,
    roleName: role?.name ?? '',
    status: invitationStatus(inv, now),
    expiresAt: inv.expiresAt.toISOString(),
    sentAt: inv.sentAt.toISOString(),
    createdAt: inv.createdAt.toISOString(),
    invitedBy: inv.invitedBy,
  };
}
