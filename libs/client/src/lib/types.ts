import type {
  AuditQuery,
  changePasswordSchema,
  createOrganizationSchema,
  createRoleSchema,
  createTokenSchema,
  createUserSchema,
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

/** `GET /tokens` filters (every one optional; the api fills page 1, 20 per page). */
export type TokenListParams = Partial<TokenListQuery>;
/** `GET /audit` filters (every one optional). */
export type AuditListParams = Partial<AuditQuery>;

export type {
  Actor,
  AuditEventDto,
  CliActor,
  CreatedOrganizationDto,
  CreatedTokenDto,
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
