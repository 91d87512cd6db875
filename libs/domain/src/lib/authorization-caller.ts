import { mayGrantPermission, permissionsBeyond, type PrincipalRights, type Refusal, refusalsOf } from './authorization';
import { permissionGrants } from './permissions';

/**
 * The caller as `GET auth/me` describes it, and what the one rule of `authorization.ts` lets it
 * do. The api answers `auth/me` with these functions and the console decides with the same ones
 * which actions and choices it offers (the api still checks every request).
 */

/** A principal's limits as JSON carries them (a TokenDto): lists and ISO dates. */
export interface RightsLimitsJson {
  allowedIps: string[];
  blockedIps: string[];
  allowedEndpoints: string[];
  blockedEndpoints: string[];
  allowedOrigins: string[];
  validFrom: string | null;
  validTo: string | null;
}

/** A principal's rights as JSON carries them: effective permissions and (optionally) limits. */
export type RightsJson = { permissions: readonly string[] } & Partial<RightsLimitsJson>;

/** Rights from their JSON form: a TokenDto, or auth/me's `permissions` for a user (who has no limits). */
export function rightsFromJson(json: RightsJson): PrincipalRights {
  return {
    permissions: [...json.permissions],
    allowedIps: json.allowedIps ?? [],
    blockedIps: json.blockedIps ?? [],
    allowedEndpoints: json.allowedEndpoints ?? [],
    blockedEndpoints: json.blockedEndpoints ?? [],
    allowedOrigins: json.allowedOrigins ?? [],
    validFrom: json.validFrom ? new Date(json.validFrom) : null,
    validTo: json.validTo ? new Date(json.validTo) : null,
  };
}

/** A resource of the permission catalog, as far as granting goes. */
export interface GrantableResource {
  resource: string;
  actions: readonly string[];
}

/**
 * The catalog's permissions (`resource:action`, in catalog order) that a caller holding
 * `callerPermissions` may hand out to a token, role or user — what the console's permission
 * picker, role select and scope filter offer. Decided by `mayGrantPermission`, the check
 * `refusalsOf` makes when a token, role or user is created or changed.
 */
export function grantablePermissions(callerPermissions: readonly string[], catalog: readonly GrantableResource[]): string[] {
  const out: string[] = [];
  for (const r of catalog) {
    for (const a of r.actions) {
      const p = `${r.resource}:${a}`;
      if (mayGrantPermission(callerPermissions, p)) out.push(p);
    }
  }
  return out;
}

/**
 * The permissions of a role that the caller may not hand out; empty when the caller may give the
 * role to a token or a user (the `permissions` half of `refusalsOf` on the principal it makes).
 */
export function roleBeyondCaller(callerPermissions: readonly string[], rolePermissions: readonly string[]): string[] {
  return permissionsBeyond(callerPermissions, rolePermissions);
}

/** Does the caller hold `permission` (the check a route's `@RequirePermission` makes)? */
export function callerHolds(callerPermissions: readonly string[], permission: string): boolean {
  return permissionGrants(callerPermissions, permission);
}

/**
 * Why the caller may not change a principal as it is (every change but create): the `current`
 * refusals of `refusalsOf`. Empty when it may; a principal acting on itself is never refused here.
 */
export function refusalsToChange(caller: PrincipalRights, target: PrincipalRights, self = false, now?: Date): Refusal[] {
  return refusalsOf(caller, { kind: 'update', current: target, self }, now).filter((r) => r.side === 'current');
}
