import { endpointWidening } from './authorization-endpoints';
import { ipWidening } from './authorization-ips';
import { originWidening } from './authorization-origins';
import { permissionGrants } from './permissions';

/**
 * THE rule for "may this caller act on that principal" (tokens and users; roles through the
 * permissions they carry). A principal's rights are everything it can do with its secret:
 * permissions (role ∪ scopes) and, for tokens, every limit. A user has no limits of its own
 * (no IP, endpoint, origin or validity rules), so it is the widest principal with its permissions.
 *
 * - A caller covers a target when every request the target may make, the caller may make too:
 *   every permission granted, every address, endpoint and origin reached, every instant valid.
 * - Any change to a principal (update, regenerate, activate, deactivate, revoke, delete) needs the
 *   caller to cover the principal as it is — a narrower caller neither takes over nor switches off
 *   a wider one. A principal acting on itself is exempt from this half (it may always narrow,
 *   revoke or delete itself).
 * - Whatever a change produces (create, update) must be covered by the caller. Acting on itself,
 *   the caller's rights are the principal's current ones: a token never loosens its own limits.
 */

/** A principal's rights. Absent lists are empty; absent dates are open (no start, never expires). */
export interface PrincipalRights {
  /** effective permissions: role ∪ scopes (users: the role's permissions) */
  permissions: readonly string[];
  allowedIps?: readonly string[];
  blockedIps?: readonly string[];
  allowedEndpoints?: readonly string[];
  blockedEndpoints?: readonly string[];
  allowedOrigins?: readonly string[];
  validFrom?: Date | null;
  validTo?: Date | null;
}

/** Every dimension of rights, in the order refusals name them. */
export const RIGHTS_FIELDS = [
  'permissions',
  'validFrom',
  'validTo',
  'allowedIps',
  'blockedIps',
  'allowedEndpoints',
  'blockedEndpoints',
  'allowedOrigins',
] as const;
export type RightsField = (typeof RIGHTS_FIELDS)[number];

/** One way a target is wider than the caller: `message` completes "the target's <field> …". */
export interface Widening {
  field: RightsField;
  message: string;
}

/** A user's rights: its role's permissions and no limits. */
export function userRights(permissions: readonly string[]): PrincipalRights {
  return { permissions };
}

/** May a caller holding `callerPermissions` hand out `permission` (wildcards included)? For the console's pickers. */
export function mayGrantPermission(callerPermissions: readonly string[], permission: string): boolean {
  return permissionGrants(callerPermissions, permission);
}

/** The permissions of `permissions` the caller may not hand out. */
export function permissionsBeyond(callerPermissions: readonly string[], permissions: readonly string[]): string[] {
  return [...new Set(permissions)].filter((p) => !mayGrantPermission(callerPermissions, p));
}

const time = (d: Date | null | undefined, open: number): number => (d ? d.getTime() : open);

/**
 * Every way `target` is wider than `caller`, one entry per field; empty when the caller covers it.
 * `now` matters for validFrom only: a start earlier than the caller's gives nothing once both have
 * started, since nobody acts in the past (pass the clock's now; default: the real one).
 */
export function widerThanCaller(caller: PrincipalRights, target: PrincipalRights, now: Date = new Date()): Widening[] {
  const out: Widening[] = [];
  const beyond = permissionsBeyond(caller.permissions, target.permissions);
  if (beyond.length > 0) {
    out.push({ field: 'permissions', message: `${beyond.join(', ')} beyond the caller's permissions` });
  }

  const nowMs = now.getTime();
  const callerFrom = Math.max(time(caller.validFrom, -Infinity), nowMs);
  const targetFrom = Math.max(time(target.validFrom, -Infinity), nowMs);
  if (targetFrom < callerFrom && caller.validFrom) {
    out.push({ field: 'validFrom', message: `must not be earlier than the caller's ${caller.validFrom.toISOString()}` });
  }
  if (time(target.validTo, Infinity) > time(caller.validTo, Infinity) && caller.validTo) {
    out.push({
      field: 'validTo',
      message: `${target.validTo ? `${target.validTo.toISOString()} is` : 'never expiring is'} later than the caller's ${caller.validTo.toISOString()}; it must be set and not later`,
    });
  }

  const ips = ipWidening(
    { allowedIps: caller.allowedIps ?? [], blockedIps: caller.blockedIps ?? [] },
    { allowedIps: target.allowedIps ?? [], blockedIps: target.blockedIps ?? [] },
  );
  if (ips) out.push(ips);
  const endpoints = endpointWidening(
    { allowedEndpoints: caller.allowedEndpoints ?? [], blockedEndpoints: caller.blockedEndpoints ?? [] },
    { allowedEndpoints: target.allowedEndpoints ?? [], blockedEndpoints: target.blockedEndpoints ?? [] },
  );
  if (endpoints) out.push(endpoints);
  const origins = originWidening(caller.allowedOrigins ?? [], target.allowedOrigins ?? []);
  if (origins) out.push(origins);
  return out;
}

/** Does the caller cover the target in every dimension? */
export function rightsCover(caller: PrincipalRights, target: PrincipalRights, now?: Date): boolean {
  return widerThanCaller(caller, target, now).length === 0;
}

/** Every change to a token or a user. Reads need only the route's read permission. */
export const PRINCIPAL_CHANGES = ['create', 'update', 'regenerate', 'activate', 'deactivate', 'revoke', 'delete'] as const;
export type PrincipalChangeKind = (typeof PRINCIPAL_CHANGES)[number];

export interface PrincipalChange {
  kind: PrincipalChangeKind;
  /** the principal as it is (every change but create) */
  current?: PrincipalRights;
  /** the principal as the change leaves it, when the change can widen it (create, update) */
  result?: PrincipalRights;
  /** the caller acts on itself (same token, or the user of the session) */
  self?: boolean;
}

/** One reason to refuse: `current` = the principal as it is is wider, `result` = the change would make it wider. */
export interface Refusal extends Widening {
  side: 'current' | 'result';
}

/** Why the caller may not make this change; empty = allowed. */
export function refusalsOf(caller: PrincipalRights, change: PrincipalChange, now?: Date): Refusal[] {
  const out: Refusal[] = [];
  if (change.kind !== 'create' && change.current && !change.self) {
    for (const w of widerThanCaller(caller, change.current, now)) out.push({ ...w, side: 'current' });
  }
  if (change.result) {
    for (const w of widerThanCaller(caller, change.result, now)) {
      // Said once: a change that leaves a wider principal as wide as it was (e.g. a rename).
      if (out.some((r) => r.field === w.field && r.message === w.message)) continue;
      out.push({ ...w, side: 'result' });
    }
  }
  return out;
}

/**
 * One sentence for a refusal's `detail`, e.g. `The token would be wider than the caller:
 * blockedEndpoints would no longer block DELETE /api/v1/**, which the caller is blocked from`.
 * Names rules and permissions, never a secret.
 */
export function refusalDetail(what: string, refusals: readonly Refusal[]): string {
  const parts: string[] = [];
  for (const side of ['current', 'result'] as const) {
    const of = refusals.filter((r) => r.side === side);
    if (of.length === 0) continue;
    const head = side === 'current' ? `The ${what} is wider than the caller` : `The ${what} would be wider than the caller`;
    parts.push(`${head}: ${of.map((r) => `${r.field} ${r.message}`).join('; ')}`);
  }
  return parts.join('. ');
}
