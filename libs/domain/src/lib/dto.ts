import { z } from 'zod';
import type { AccessStep } from './access';
import type { IntrospectionDecision } from './introspection';
import { HTTP_METHODS, isValidEndpointRule } from './endpoints';
import { ipRuleProblem, isValidIp } from './ip';
import { isValidOriginRule } from './origins';
import { type CatalogResource, isValidPermission } from './permissions';
import { TOKEN_STATUSES, type TokenStatus } from './status';

/** Every size limit of the API and the console, in one place. */
/** Longest request target POST /introspect accepts. */
export const INTROSPECT_PATH_MAX = 2048;

export const LIMITS = {
  nameMax: 100,
  descriptionMax: 1000,
  /** entries per IP, endpoint or origin list, and permissions per token or role */
  listMax: 100,
  pageSizeMax: 100,
  graceSecondsMax: 86400,
  passwordMin: 12,
  passwordMax: 200,
  emailMax: 254,
  /** longest single rule or permission string */
  ruleMax: 300,
  noteMax: 200,
  queryMax: 200,
} as const;

const quoted = (value: string): string =>
  JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);

const nameSchema = z
  .string({ error: 'Name must be a string' })
  .trim()
  .min(1, { error: 'Name is required' })
  .max(LIMITS.nameMax, { error: `Name must be at most ${LIMITS.nameMax} characters` });

const descriptionSchema = z
  .string({ error: 'Description must be a string' })
  .max(LIMITS.descriptionMax, {
    error: `Description must be at most ${LIMITS.descriptionMax} characters`,
  });

const uuidSchema = (what: string) => z.uuid({ error: `${what} must be a UUID` });

const isoDateTime = (what: string) =>
  z.iso.datetime({
    offset: true,
    error: `${what} must be an ISO 8601 date-time, e.g. 2030-01-31T00:00:00Z`,
  });

/** A list of rule strings, each checked by `problem` (which names the entry when it is wrong). */
function ruleList(what: string, problem: (entry: string) => string | null) {
  return z
    .array(
      z
        .string({ error: `Each ${what} must be a string` })
        .trim()
        .max(LIMITS.ruleMax, { error: `A ${what} must be at most ${LIMITS.ruleMax} characters` })
        .superRefine((entry, ctx) => {
          const message = problem(entry);
          if (message !== null) ctx.addIssue({ code: 'custom', message });
        }),
      { error: `Must be a list of ${what}s` },
    )
    .max(LIMITS.listMax, { error: `At most ${LIMITS.listMax} entries` });
}

const ipRules = ruleList('IP rule', ipRuleProblem);
const endpointRules = ruleList('endpoint rule', (e) =>
  isValidEndpointRule(e)
    ? null
    : `${quoted(e)} is not a valid endpoint rule (expected "METHOD /path", METHOD one of ${HTTP_METHODS.join(', ')} or *, segments literal, * or a final **)`,
);
const originRules = ruleList('origin rule', (e) =>
  isValidOriginRule(e)
    ? null
    : `${quoted(e)} is not a valid origin rule (expected e.g. https://app.example.com or https://*.example.com)`,
);
const permissionList = ruleList('permission', (e) =>
  isValidPermission(e)
    ? null
    : `${quoted(e)} is not a valid permission (expected resource:action, each lower-case [a-z][a-z0-9-]* or *)`,
);

const tokenFields = {
  name: nameSchema,
  description: descriptionSchema.optional(),
  roleId: uuidSchema('roleId').nullable().optional(),
  scopes: permissionList.optional(),
  allowedIps: ipRules.optional(),
  blockedIps: ipRules.optional(),
  allowedEndpoints: endpointRules.optional(),
  blockedEndpoints: endpointRules.optional(),
  allowedOrigins: originRules.optional(),
  validFrom: isoDateTime('validFrom').nullable().optional(),
  validTo: isoDateTime('validTo').nullable().optional(),
};

function validToAfterValidFrom(v: { validFrom?: string | null; validTo?: string | null }): boolean {
  return !v.validFrom || !v.validTo || Date.parse(v.validTo) > Date.parse(v.validFrom);
}
const validToMessage = { error: 'validTo must be later than validFrom', path: ['validTo'] };

/**
 * A token id proposed by the client (seed 004: the create form shows the GUID before saving): a
 * UUID v4, any case (stored lower-case).
 */
export const tokenIdSchema = z
  .string({ error: 'id must be a string' })
  .trim()
  .toLowerCase()
  .pipe(z.uuidv4({ error: 'id must be a UUID v4, e.g. 3f1c2a52-7c1e-4b7a-9a55-3d1f0f5b8e21' }));

/** A fresh token id for a form to show before saving (crypto RNG; a UUID v4). */
export function newTokenId(): string {
  return globalThis.crypto.randomUUID();
}

export const createTokenSchema = z
  .strictObject({ ...tokenFields, id: tokenIdSchema.optional() })
  .refine(validToAfterValidFrom, validToMessage)
  .refine((v) => Boolean(v.roleId) || (v.scopes !== undefined && v.scopes.length > 0), {
    error: 'Choose a role or at least one permission (scopes)',
    path: ['scopes'],
  });

export const updateTokenSchema = z
  .strictObject({ ...tokenFields, name: nameSchema.optional() })
  .refine(validToAfterValidFrom, validToMessage);

export const TOKEN_SORTS = [
  'name',
  '-name',
  'active',
  '-active',
  'validTo',
  '-validTo',
  'lastUsedAt',
  '-lastUsedAt',
  'createdAt',
  '-createdAt',
] as const;
export type TokenSort = (typeof TOKEN_SORTS)[number];

const pageFields = {
  page: z.coerce
    .number({ error: 'page must be a number' })
    .int({ error: 'page must be a whole number' })
    .min(1, { error: 'page must be at least 1' })
    .default(1),
  pageSize: z.coerce
    .number({ error: 'pageSize must be a number' })
    .int({ error: 'pageSize must be a whole number' })
    .min(1, { error: 'pageSize must be at least 1' })
    .max(LIMITS.pageSizeMax, { error: `pageSize must be at most ${LIMITS.pageSizeMax}` })
    .default(20),
};

const queryText = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .trim()
    .max(LIMITS.queryMax, { error: `${what} is too long` });

export const tokenListQuerySchema = z.strictObject({
  q: queryText('q').optional().describe('Name keywords; every word must occur (case-insensitive)'),
  guid: queryText('guid').optional().describe('The token id, or its beginning'),
  scope: queryText('scope').optional().describe('Only tokens whose effective permissions grant this, e.g. tokens:read'),
  status: z
    .enum(TOKEN_STATUSES, { error: `status must be one of ${TOKEN_STATUSES.join(', ')}` })
    .optional(),
  sort: z
    .enum(TOKEN_SORTS, { error: `sort must be one of ${TOKEN_SORTS.join(', ')}` })
    .optional()
    .describe('Default -createdAt (newest first)'),
  ...pageFields,
});

export const regenerateTokenSchema = z.strictObject({
  graceSeconds: z
    .number({ error: 'graceSeconds must be a number' })
    .int({ error: 'graceSeconds must be a whole number' })
    .min(0, { error: 'graceSeconds must be at least 0' })
    .max(LIMITS.graceSecondsMax, {
      error: `graceSeconds must be at most ${LIMITS.graceSecondsMax}`,
    })
    .default(0),
});

export const createRoleSchema = z.strictObject({
  name: nameSchema,
  description: descriptionSchema.optional(),
  permissions: permissionList.min(1, { error: 'A role needs at least one permission' }),
});

export const updateRoleSchema = createRoleSchema.partial();

const emailSchema = z
  .string({ error: 'Email must be a string' })
  .trim()
  .toLowerCase()
  .max(LIMITS.emailMax, { error: `Email must be at most ${LIMITS.emailMax} characters` })
  .pipe(z.email({ error: 'Email must be a valid email address' }));

const passwordSchema = z
  .string({ error: 'Password must be a string' })
  .min(LIMITS.passwordMin, { error: `Password must be at least ${LIMITS.passwordMin} characters` })
  .max(LIMITS.passwordMax, { error: `Password must be at most ${LIMITS.passwordMax} characters` });

const displayNameSchema = z
  .string({ error: 'Display name must be a string' })
  .trim()
  .min(1, { error: 'Display name is required' })
  .max(LIMITS.nameMax, { error: `Display name must be at most ${LIMITS.nameMax} characters` });

export const createUserSchema = z.strictObject({
  email: emailSchema,
  displayName: displayNameSchema,
  password: passwordSchema,
  roleId: uuidSchema('roleId'),
});

export const updateUserSchema = z.strictObject({
  roleId: uuidSchema('roleId').optional(),
  active: z.boolean({ error: 'active must be true or false' }).optional(),
  password: passwordSchema.optional(),
  displayName: displayNameSchema.optional(),
});

export const loginSchema = z.strictObject({
  email: emailSchema,
  password: z
    .string({ error: 'Password must be a string' })
    .min(1, { error: 'Password is required' })
    .max(LIMITS.passwordMax, {
      error: `Password must be at most ${LIMITS.passwordMax} characters`,
    }),
});

/** What a strong enough password is, in words (the console shows it next to the field). */
export const PASSWORD_RULE = `${LIMITS.passwordMin} to ${LIMITS.passwordMax} characters`;

/**
 * A signed-in user changes their own password. The new one follows the same rule as a user's
 * password at creation and must differ from the current one.
 */
export const changePasswordSchema = z
  .strictObject({
    currentPassword: z
      .string({ error: 'Current password must be a string' })
      .min(1, { error: 'Current password is required' })
      .max(LIMITS.passwordMax, { error: `Current password must be at most ${LIMITS.passwordMax} characters` }),
    newPassword: passwordSchema,
  })
  .superRefine((v, ctx) => {
    if (v.currentPassword === v.newPassword) {
      ctx.addIssue({ code: 'custom', path: ['newPassword'], message: 'New password must differ from the current one' });
    }
  });

export const createOrganizationSchema = z.strictObject({
  name: nameSchema,
  adminEmail: emailSchema,
  adminPassword: passwordSchema.optional(),
});

export const ipAllowlistSchema = z.strictObject({
  entries: z
    .array(
      z.strictObject({
        cidr: z
          .string({ error: 'cidr must be a string' })
          .trim()
          .superRefine((entry, ctx) => {
            const message = ipRuleProblem(entry);
            if (message !== null) ctx.addIssue({ code: 'custom', message });
          }),
        note: z
          .string({ error: 'note must be a string' })
          .max(LIMITS.noteMax, { error: `note must be at most ${LIMITS.noteMax} characters` })
          .optional(),
      }),
      { error: 'entries must be a list' },
    )
    .max(LIMITS.listMax, { error: `At most ${LIMITS.listMax} entries` }),
  force: z.boolean({ error: 'force must be true or false' }).optional(),
});

export const AUDIT_OUTCOMES = ['success', 'failure'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const auditQuerySchema = z.strictObject({
  actor: queryText('actor').optional(),
  action: queryText('action').optional(),
  target: queryText('target').optional(),
  outcome: z.enum(AUDIT_OUTCOMES, { error: 'outcome must be success or failure' }).optional(),
  from: isoDateTime('from').optional(),
  to: isoDateTime('to').optional(),
  ...pageFields,
});

/**
 * The rules of a token being created (the create drawer's Test access, before saving): the same
 * fields and checks as POST tokens, none of them required.
 */
export const explainDraftSchema = z
  .strictObject({
    roleId: tokenFields.roleId,
    scopes: tokenFields.scopes,
    allowedIps: tokenFields.allowedIps,
    blockedIps: tokenFields.blockedIps,
    allowedEndpoints: tokenFields.allowedEndpoints,
    blockedEndpoints: tokenFields.blockedEndpoints,
    allowedOrigins: tokenFields.allowedOrigins,
    validFrom: tokenFields.validFrom,
    validTo: tokenFields.validTo,
  })
  .refine(validToAfterValidFrom, validToMessage);

const explainFields = z.strictObject({
  /** A saved token… */
  tokenId: uuidSchema('tokenId').optional(),
  /** …or the rules of one not saved yet (exactly one of the two). */
  draft: explainDraftSchema.optional(),
  method: z
    .string({ error: 'method must be a string' })
    .trim()
    .toUpperCase()
    .pipe(z.enum(HTTP_METHODS, { error: `method must be one of ${HTTP_METHODS.join(', ')}` })),
  path: z
    .string({ error: 'path must be a string' })
    .max(LIMITS.ruleMax, { error: 'path is too long' })
    .regex(/^\/\S*$/, { error: 'path must start with / and contain no spaces' }),
  ip: z
    .string({ error: 'ip must be a string' })
    .trim()
    .refine(isValidIp, { error: 'ip must be an IPv4 or IPv6 address' }),
  origin: z
    .string({ error: 'origin must be a string' })
    .max(LIMITS.ruleMax, { error: 'origin is too long' })
    .nullable()
    .optional(),
  permission: z
    .string({ error: 'permission must be a string' })
    .refine(isValidPermission, { error: 'permission must be resource:action' })
    .nullable()
    .optional(),
});

export const explainRequestSchema = explainFields.refine((v) => (v.tokenId === undefined) !== (v.draft === undefined), {
  error: 'Give either tokenId (a saved token) or draft (the rules of a token not saved yet)',
  path: ['tokenId'],
});

/**
 * RFC 7662 introspection. A resource server that also sends the request it was presented the token
 * with (`method`, `path`, `ip`, optionally `origin` and the `permission` its route needs) gets
 * Tessera's access decision for it (`decision`), so IP, endpoint and origin rules hold there too.
 */
export const introspectSchema = z
  .strictObject({
    token: z
      .string({ error: 'token must be a string' })
      .max(LIMITS.ruleMax, { error: 'token is too long' }),
    token_type_hint: z.string({ error: 'token_type_hint must be a string' }).max(100).optional(),
    method: z
      .string({ error: 'method must be a string' })
      .regex(/^[A-Za-z]{1,20}$/, { error: 'method must be an HTTP method, e.g. GET' })
      .optional()
      .describe('The method of the request the token came with'),
    path: z
      .string({ error: 'path must be a string' })
      .max(INTROSPECT_PATH_MAX, { error: `path must be at most ${INTROSPECT_PATH_MAX} characters` })
      .regex(/^\//, { error: 'path must start with /' })
      .optional()
      .describe('Its request target as on the request line (a query string is ignored)'),
    ip: z
      .string({ error: 'ip must be a string' })
      .max(100, { error: 'ip is too long' })
      .refine(isValidIp, { error: 'ip must be an IPv4 or IPv6 address' })
      .optional()
      .describe('The client address the resource server saw'),
    origin: z
      .string({ error: 'origin must be a string' })
      .max(LIMITS.ruleMax, { error: 'origin is too long' })
      .optional()
      .describe('Its Origin header, when it had one'),
    permission: z
      .string({ error: 'permission must be a string' })
      .refine(isValidPermission, { error: 'permission must look like resource:action' })
      .optional()
      .describe('The permission the route needs (none: only the rules are checked)'),
  })
  .superRefine((value, ctx) => {
    const asked = (['method', 'path', 'ip', 'origin', 'permission'] as const).some((k) => value[k] !== undefined);
    if (!asked) return;
    for (const field of ['method', 'path', 'ip'] as const) {
      if (value[field] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `${field} is required when asking for an access decision (method, path and ip go together)`,
        });
      }
    }
  });

export type CreateTokenInput = z.infer<typeof createTokenSchema>;
export type UpdateTokenInput = z.infer<typeof updateTokenSchema>;
export type TokenListQuery = z.infer<typeof tokenListQuerySchema>;
export type RegenerateTokenInput = z.infer<typeof regenerateTokenSchema>;
export type CreateRoleInput = z.infer<typeof createRoleSchema>;
export type UpdateRoleInput = z.infer<typeof updateRoleSchema>;
export type CreateUserInput = z.infer<typeof createUserSchema>;
export type UpdateUserInput = z.infer<typeof updateUserSchema>;
export type LoginInput = z.infer<typeof loginSchema>;
export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;
export type CreateOrganizationInput = z.infer<typeof createOrganizationSchema>;
export type IpAllowlistInput = z.infer<typeof ipAllowlistSchema>;
export type AuditQuery = z.infer<typeof auditQuerySchema>;
export type ExplainRequestInput = z.infer<typeof explainRequestSchema>;
export type ExplainDraftInput = z.infer<typeof explainDraftSchema>;
export type IntrospectInput = z.infer<typeof introspectSchema>;

export interface FieldError {
  /** dotted path, e.g. 'allowedIps.2'; '' for the whole body */
  field: string;
  message: string;
}

/** Parses `input`; on failure returns every problem with the dotted path of its field. */
export function validate<T>(
  schema: z.ZodType<T>,
  input: unknown,
): { ok: true; value: T } | { ok: false; errors: FieldError[] } {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const errors: FieldError[] = [];
  for (const issue of result.error.issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        errors.push({
          field: base ? `${base}.${key}` : key,
          message: `Unknown field ${quoted(key)}`,
        });
      }
    } else {
      errors.push({ field: base, message: issue.message });
    }
  }
  return { ok: false, errors };
}

// Response shapes (JSON over the wire: dates are ISO strings)

export interface Actor {
  kind: 'user' | 'token';
  id: string;
  name: string;
}

export interface TokenDto {
  id: string;
  name: string;
  description: string;
  roleId: string | null;
  roleName: string | null;
  scopes: string[];
  /** effective permissions = role ∪ scopes */
  permissions: string[];
  allowedIps: string[];
  blockedIps: string[];
  allowedEndpoints: string[];
  blockedEndpoints: string[];
  allowedOrigins: string[];
  validFrom: string | null;
  validTo: string | null;
  active: boolean;
  revokedAt: string | null;
  status: TokenStatus;
  createdAt: string;
  updatedAt: string;
  createdBy: Actor;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  useCount: number;
  hint: string;
  version: number;
}

export interface CreatedTokenDto {
  token: TokenDto;
  secret: string;
}

export interface RoleDto {
  id: string;
  name: string;
  description: string;
  permissions: string[];
  builtIn: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface UserDto {
  id: string;
  email: string;
  displayName: string;
  roleId: string;
  roleName: string;
  active: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export interface SessionDto {
  id: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
  endedAt: string | null;
}

export interface LoginResponseDto {
  token: string;
  expiresAt: string;
  user: UserDto;
}

export interface MeDto {
  kind: 'user' | 'token';
  id: string;
  name: string;
  /** the user's email; only for a user (session) caller */
  email?: string;
  organization: { id: string; name: string };
  /** effective permissions: the role's, and for a token its scopes too */
  permissions: string[];
  /** the catalog permissions the caller may hand out (`grantablePermissions`) */
  grantable: string[];
  sessionId?: string;
  tokenId?: string;
}

export interface IpAllowlistDto {
  entries: { cidr: string; note: string }[];
  callerIp: string;
}

/** An operator at the shell (`npm run tessera -- …`): no id, named `cli`. */
export interface CliActor {
  kind: 'cli';
  id: null;
  name: string;
}

export interface AuditEventDto {
  id: string;
  at: string;
  actor: Actor | CliActor | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  targetName: string | null;
  ip: string | null;
  userAgent: string | null;
  outcome: AuditOutcome;
  reason: string | null;
  details: Record<string, unknown>;
  /** Events this row stands for: 1, or more for a summary of refusals (from `at` to `lastAt`). */
  count: number;
  /** The last of the `count` events; null when count is 1. */
  lastAt: string | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}

export interface PermissionCatalogDto {
  /** `tags` per action, e.g. `{ read: ['cli'] }` (the "CLI developer" role grants every `cli` action). */
  resources: CatalogResource[];
}

export interface ExplainResponseDto {
  allowed: boolean;
  status: number;
  error: string | null;
  reason: string | null;
  scope?: string;
  message: string;
  steps: AccessStep[];
}

/** RFC 7662 introspection answer (`POST /introspect`); an inactive token is `{active: false}` only. */
export interface IntrospectionDto {
  active: boolean;
  /** effective permissions, space-separated */
  scope?: string;
  exp?: number;
  iat?: number;
  nbf?: number;
  /** the token id */
  sub?: string;
  /** the token name */
  username?: string;
  token_type?: 'bearer';
  /** the organization id */
  org?: string;
  /** present when the request was described (method, path, ip) and the token is active */
  decision?: IntrospectionDecision;
}

/** `POST /organizations`: the organization, its first admin, and the generated password (only when none was given). */
export interface CreatedOrganizationDto {
  organization: { id: string; name: string; createdAt: string };
  admin: UserDto;
  adminPassword?: string;
}

/** `POST /auth/password`: how many other sessions of the user ended. */
export interface PasswordChangedDto {
  endedSessions: number;
}
