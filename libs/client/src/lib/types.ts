import type {
  acceptInvitationSchema,
  AuditQuery,
  changePasswordSchema,
  createOrganizationSchema,
  createRoleSchema,
  createTokenSchema,
  createUserSchema,
  createInvitationSchema,
  InvitationListQuery,
  explainRequestSchema,
  introspectSchema,
  ipAllowlistSchema,
  loginSchema,
  regenerateTokenSchema,
  TokenListQuery,
  updateRoleSchema,
  updateTokenSchema,
  updateUserSchema,
} from '@tessera/domain';
import type { input } from 'zod';

// Request types are what the api's zod schemas accept (their input side), so they follow the
// schemas of @tessera/domain with no copy here. Response types are the domain's DTO interfaces.

export type LoginBody = input<typeof loginSchema>;
export type ChangePasswordBody = input<typeof changePasswordSchema>;
export type CreateTokenBody = input<typeof createTokenSchema>;
export type UpdateTokenBody = input<typeof updateTokenSchema>;
export type RegenerateTokenBody = input<typeof regenerateTokenSchema>;
export type CreateRoleBody = input<typeof createRoleSchema>;
export type UpdateRoleBody = input<typeof updateRoleSchema>;
export type CreateUserBody = input<typeof createUserSchema>;
export type UpdateUserBody = input<typeof updateUserSchema>;
export type CreateOrganizationBody = input<typeof createOrganizationSchema>;
export type IpAllowlistBody = input<typeof ipAllowlistSchema>;
export type ExplainBody = input<typeof explainRequestSchema>;
export type IntrospectBody = input<typeof introspectSchema>;
export type CreateInvitationBody = input<typeof createInvitationSchema>;
export type AcceptInvitationBody = input<typeof acceptInvitationSchema>;

/** `GET /tokens` filters (every one optional; the api fills page 1, 20 per page). */
export type TokenListParams = Partial<TokenListQuery>;
/** `GET /invitations` filters (every one optional). */
export type InvitationListParams = Partial<InvitationListQuery>;
/** `GET /audit` filters (every one optional). */
export type AuditListParams = Partial<AuditQuery>;

export type {
  Actor,
  AuditEventDto,
  CliActor,
  AcceptedInvitationDto,
  CreatedInvitationDto,
  CreatedOrganizationDto,
  CreatedTokenDto,
  InvitationDto,
  InvitationStatus,
  ExplainResponseDto,
  FieldError,
  IntrospectionDto,
  IpAllowlistDto,
  LoginResponseDto,
  MeDto,
  Page,
  PasswordChangedDto,
  PermissionCatalogDto,
  ProblemDetails,
  RoleDto,
  SessionDto,
  TokenDto,
  TokenStatus,
  UserDto,
} from '@tessera/domain';
