import { FormControl, FormGroup } from '@angular/forms';
import { LIMITS, changePasswordSchema, validate } from '@tessera/domain';
import fc from 'fast-check';
import { generatePassword, newPasswordValidators, sameAs } from './password.logic';

describe('password logic of the console', () => {
  it('generates passwords the api accepts, of base62 characters only', () => {
    for (let i = 0; i < 50; i++) {
      const pw = generatePassword();
      expect(pw).toMatch(/^[0-9A-Za-z]{20}$/);
      expect(validate(changePasswordSchema, { currentPassword: 'x', newPassword: pw }).ok).toBe(true);
    }
  });

  it('never uses the bytes that would bias the alphabet (≥ 248)', () => {
    let calls = 0;
    const pw = generatePassword(4, (n) => new Uint8Array(n).fill(++calls < 3 ? 250 : 61));
    expect(pw).toBe('zzzz');
  });

  it('refuses in the form exactly what the api refuses (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: LIMITS.passwordMax + 10 }), (pw) => {
        const control = new FormControl(pw, newPasswordValidators);
        const api = validate(changePasswordSchema, { currentPassword: `not ${pw}`, newPassword: pw }).ok;
        expect(control.valid).toBe(api);
      }),
    );
  });

  it('asks the confirmation to match', () => {
    const group = new FormGroup({ password: new FormControl('a-long-password-1'), confirm: new FormControl('a-long-password-2') }, { validators: sameAs('password', 'confirm') });
    expect(group.errors).toEqual({ mismatch: true });
    group.controls.confirm.setValue('a-long-password-1');
    expect(group.errors).toBeNull();
  });
});
