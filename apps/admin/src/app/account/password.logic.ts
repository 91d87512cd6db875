import { AbstractControl, ValidationErrors, ValidatorFn, Validators } from '@angular/forms';
import { BASE62_ALPHABET, LIMITS, PASSWORD_RULE } from '@tessera/domain';

/** The strength rule, as the api applies it (libs/domain), for hints under password fields. */
export const PASSWORD_HINT = `${PASSWORD_RULE}`;

/** Validators of a new password: the api's rule (a user's password at creation). */
export const newPasswordValidators: ValidatorFn[] = [
  Validators.required,
  Validators.minLength(LIMITS.passwordMin),
  Validators.maxLength(LIMITS.passwordMax),
];

/** Group validator: `confirm` must equal `password` (error `mismatch` on the group). */
export function sameAs(password: string, confirm: string): ValidatorFn {
  return (group: AbstractControl): ValidationErrors | null => {
    const a = group.get(password)?.value as unknown;
    const b = group.get(confirm)?.value as unknown;
    return b === '' || a === b ? null : { mismatch: true };
  };
}

/** The message under a new-password field. */
export function newPasswordError(errors: ValidationErrors | null | undefined): string {
  if (!errors) return '';
  if (typeof errors['server'] === 'string') return errors['server'];
  if (errors['required']) return 'A new password is required';
  if (errors['minlength']) return `At least ${LIMITS.passwordMin} characters`;
  if (errors['maxlength']) return `At most ${LIMITS.passwordMax} characters`;
  return 'Invalid password';
}

/**
 * A random password of `length` base62 characters from the browser's crypto RNG (rejection
 * sampling: every character equally likely). 20 characters ≈ 119 bits.
 */
export function generatePassword(length = 20, randomBytes: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62_ALPHABET.charAt(byte % 62);
    }
  }
  return out;
}
