import { type PrincipalRights, type Refusal, refusalsOf, widerThanCaller } from './authorization';
import { effectivePermissions } from './permissions';

/**
 * Roles under the one rule of `authorization.ts`. A role hands out nothing by itself; it reaches
 * the tokens and users that hold it. So:
 * - a caller creates, edits or deletes only roles whose permissions it covers (as they are and as
 *   the change leaves them);
 * - a change of a role's permissions is a change of every holder: each one is an `update` under
 *   `refusalsOf` (the holder as it is must be covered, unless it is the caller itself, and the
 *   holder as the change leaves it must be covered). A caller therefore never widens a principal
 *   through its role, nor narrows a wider one.
 */

/** A token or user holding the role: what it has apart from the role's permissions. */
export interface RoleHolder {
  /** Named in refusals, e.g. `token "ci"` or `user ada@example.com` (never a secret). */
  label: string;
  /** A token: its scopes as `permissions` and its limits. A user: no permissions, no limits. */
  own: PrincipalRights;
  /** The caller is this holder (its own token, or the user of the session). */
  self?: boolean;
}

export const ROLE_CHANGES = ['create', 'update', 'delete'] as const;
export type RoleChangeKind = (typeof ROLE_CHANGES)[number];

export interface RoleChange {
  kind: RoleChangeKind;
  /** The role's permissions as they are (update, delete). */
  current?: readonly string[];
  /** The role's permissions as the change leaves them (create, update). */
  result?: readonly string[];
  /** Tokens and users holding the role (update of its permissions). */
  holders?: readonly RoleHolder[];
}

/** At most this many holders are named in a refusal; the rest are counted. */
const NAMED_HOLDERS = 3;

/** Why the caller may not make this change to a role; empty = allowed. */
export function roleRefusals(caller: PrincipalRights, change: RoleChange, now?: Date): Refusal[] {
  const out: Refusal[] = [];
  const permissionsOnly: PrincipalRights = { permissions: caller.permissions };
  if (change.kind !== 'create' && change.current) {
    for (const w of widerThanCaller(permissionsOnly, { permissions: change.current }, now)) out.push({ ...w, side: 'current' });
  }
  if (change.result) {
    for (const w of widerThanCaller(permissionsOnly, { permissions: change.result }, now)) out.push({ ...w, side: 'result' });
  }
  if (change.kind !== 'update' || !change.current || !change.result) return out;

  const current = change.current;
  const result = change.result;
  const withRole = (h: RoleHolder, role: readonly string[]): PrincipalRights => ({
    ...h.own,
    permissions: effectivePermissions(role, h.own.permissions),
  });
  let refused = 0;
  for (const holder of change.holders ?? []) {
    const refusals = refusalsOf(
      caller,
      { kind: 'update', current: withRole(holder, current), result: withRole(holder, result), self: holder.self ?? false },
      now,
    );
    if (refusals.length === 0) continue;
    refused++;
    if (refused <= NAMED_HOLDERS) {
      for (const r of refusals) out.push({ ...r, message: `${r.message} (for ${holder.label}, which holds the role)` });
    }
  }
  if (refused > NAMED_HOLDERS) {
    const last = out[out.length - 1];
    if (last) last.message += ` (and ${refused - NAMED_HOLDERS} more holders of the role)`;
  }
  return out;
}
