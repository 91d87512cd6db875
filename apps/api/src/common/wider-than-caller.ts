import { type Refusal, refusalDetail } from '@tessera/domain';
import { ProblemException } from './problem';

/** The audit reason of every refusal by the rule "no caller acts on or produces a principal wider than itself". */
export const WIDER_THAN_CALLER = 'wider_than_caller';

/** The request field that carries a principal's permissions (`scopes` of a token, `roleId` of a user). */
export type PermissionsField = 'scopes' | 'roleId' | 'permissions';

/**
 * 403 problem+json for a change the caller may not make: `detail` from `refusalDetail` (names the
 * permissions and rules that are wider, never a secret), `errors` one per field, named as the
 * request names it so a form can show it where it belongs.
 */
export class WiderThanCallerException extends ProblemException {
  constructor(
    what: string,
    readonly refusals: readonly Refusal[],
    permissionsField: PermissionsField = 'permissions',
  ) {
    super(
      403,
      'Forbidden',
      refusalDetail(what, refusals),
      refusals.map((r) => ({ field: r.field === 'permissions' ? permissionsField : r.field, message: r.message })),
    );
  }
}

/** Throws when there is any refusal. */
export function assertNoRefusals(what: string, refusals: readonly Refusal[], permissionsField?: PermissionsField): void {
  if (refusals.length > 0) throw new WiderThanCallerException(what, refusals, permissionsField);
}
