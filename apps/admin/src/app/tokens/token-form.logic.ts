import type { TokenDto } from '@tessera/domain';

/** Joins a date (from the datepicker) and an "HH:mm" time into one Date, local time. */
export function combineDateTime(date: Date | null | undefined, time: string | null | undefined): Date | null {
  if (!date) return null;
  const result = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  const match = /^(\d{1,2}):(\d{2})$/.exec(time ?? '');
  if (match) result.setHours(Number(match[1]), Number(match[2]), 0, 0);
  return result;
}

/** "HH:mm" of a date, local time. */
export function timeOf(date: Date): string {
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

/** The default expiry for a new token: one year from now. */
export function defaultExpiry(now: Date): Date {
  const d = new Date(now);
  d.setFullYear(d.getFullYear() + 1);
  return d;
}

/** Midnight today: the first date the expiry picker offers (past dates are disabled). */
export function startOfToday(now: Date): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}

export interface DateFields {
  neverExpires: boolean;
  expiresDate: Date | null;
  expiresTime: string;
  validFromDate: Date | null;
  validFromTime: string;
}

export type DateProblem = 'expiryRequired' | 'expiryInPast' | 'expiryBeforeStart' | 'startInPast' | null;

/** What is wrong with the validity dates, if anything. `checkPast` is off for an untouched expiry in edit mode. */
export function dateProblem(fields: DateFields, now: Date, checkPast: boolean, checkStartPast = false): DateProblem {
  // Seed 004: past dates are refused for Valid from too (a start earlier than today means nothing).
  const start = combineDateTime(fields.validFromDate, fields.validFromTime);
  if (checkStartPast && start && start.getTime() < startOfToday(now).getTime()) return 'startInPast';
  if (fields.neverExpires) return null;
  const validTo = combineDateTime(fields.expiresDate, fields.expiresTime);
  if (!validTo) return 'expiryRequired';
  if (checkPast && validTo.getTime() <= now.getTime()) return 'expiryInPast';
  const validFrom = combineDateTime(fields.validFromDate, fields.validFromTime);
  if (validFrom && validTo.getTime() <= validFrom.getTime()) return 'expiryBeforeStart';
  return null;
}

export const DATE_PROBLEM_TEXT: Record<Exclude<DateProblem, null>, string> = {
  expiryRequired: 'Pick an expiry date, or choose "Never expires"',
  expiryInPast: 'The expiry must be in the future',
  expiryBeforeStart: 'The expiry must be after "Valid from"',
  startInPast: '"Valid from" cannot be in the past; leave it empty to start now',
};

/** The form's starting values for a token being edited, or for a new one. */
export function initialDates(token: TokenDto | null, now: Date): DateFields {
  if (!token) {
    const expiry = defaultExpiry(now);
    return { neverExpires: false, expiresDate: expiry, expiresTime: timeOf(expiry), validFromDate: null, validFromTime: '' };
  }
  const validTo = token.validTo ? new Date(token.validTo) : null;
  const validFrom = token.validFrom ? new Date(token.validFrom) : null;
  return {
    neverExpires: validTo === null,
    expiresDate: validTo ?? defaultExpiry(now),
    expiresTime: timeOf(validTo ?? defaultExpiry(now)),
    validFromDate: validFrom,
    validFromTime: validFrom ? timeOf(validFrom) : '',
  };
}

/** Maps an api field path (`allowedIps.2`) to its list name and index. */
export function parseFieldPath(field: string): { name: string; index: number | null } {
  const [name = '', index] = field.split('.');
  return { name, index: index !== undefined && /^\d+$/.test(index) ? Number(index) : null };
}
