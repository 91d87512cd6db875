import { AbstractControl, ValidationErrors, ValidatorFn } from '@angular/forms';
import { isValidEndpointRule, isValidIpRule, isValidOriginRule, isValidPermission } from '@tessera/domain';

/** Wraps a @tessera/domain predicate so the console refuses exactly what the api refuses. */
function ruleValidator(key: string, isValid: (value: string) => boolean): ValidatorFn {
  return (control: AbstractControl): ValidationErrors | null => {
    const value = typeof control.value === 'string' ? control.value.trim() : '';
    if (!value) return { required: true };
    return isValid(value) ? null : { [key]: true };
  };
}

export const ipRuleValidator = ruleValidator('ipRule', isValidIpRule);
export const endpointRuleValidator = ruleValidator('endpointRule', isValidEndpointRule);
export const originRuleValidator = ruleValidator('originRule', isValidOriginRule);
export const permissionValidator = ruleValidator('permission', isValidPermission);

/** The message shown under an invalid rule entry. */
export function ruleError(errors: ValidationErrors | null | undefined): string {
  if (!errors) return '';
  if (typeof errors['server'] === 'string') return errors['server'];
  if (errors['required']) return 'Enter a value or remove this entry';
  if (errors['ipRule']) return 'Not an IP address or CIDR range (host bits must be zero, e.g. 10.0.0.0/8)';
  if (errors['endpointRule']) return 'Use METHOD /path, e.g. GET /api/v1/tokens/*';
  if (errors['originRule']) return 'Use an origin like https://app.example.com or https://*.example.com';
  if (errors['permission']) return 'Use resource:action, e.g. tokens:read';
  return 'Invalid value';
}
