import { combineDateTime, dateProblem, defaultExpiry, initialDates, parseFieldPath } from './token-form.logic';

const now = new Date(2026, 10, 23, 12, 0);

describe('token form date logic', () => {
  it('defaults a new token to expire one year ahead', () => {
    const d = initialDates(null, now);
    expect(d.neverExpires).toBe(false);
    expect(d.expiresDate?.getFullYear()).toBe(2027);
    expect(d.expiresTime).toBe('12:00');
    expect(defaultExpiry(now).getMonth()).toBe(10);
  });

  it('joins the date and the time of day', () => {
    expect(combineDateTime(new Date(2027, 0, 2), '09:30')).toEqual(new Date(2027, 0, 2, 9, 30));
    expect(combineDateTime(null, '09:30')).toBeNull();
  });

  it('refuses an expiry in the past, a missing one, and one before "valid from"', () => {
    const base = { neverExpires: false, expiresDate: new Date(2026, 10, 22), expiresTime: '10:00', validFromDate: null, validFromTime: '' };
    expect(dateProblem(base, now, true)).toBe('expiryInPast');
    expect(dateProblem(base, now, false)).toBeNull();
    expect(dateProblem({ ...base, expiresDate: null }, now, true)).toBe('expiryRequired');
    expect(dateProblem({ ...base, expiresDate: new Date(2027, 0, 1), validFromDate: new Date(2027, 5, 1) }, now, true)).toBe('expiryBeforeStart');
    expect(dateProblem({ ...base, neverExpires: true }, now, true)).toBeNull();
  });

  it('refuses a "valid from" before today when asked to (create, or a touched start in edit)', () => {
    const base = { neverExpires: true, expiresDate: null, expiresTime: '', validFromDate: new Date(2026, 10, 22), validFromTime: '10:00' };
    expect(dateProblem(base, now, true, true)).toBe('startInPast');
    expect(dateProblem(base, now, true, false)).toBeNull();
    expect(dateProblem({ ...base, validFromDate: new Date(2026, 10, 23), validFromTime: '08:00' }, now, true, true)).toBeNull();
    expect(dateProblem({ ...base, validFromDate: null }, now, true, true)).toBeNull();
  });

  it('reads api field paths of list entries', () => {
    expect(parseFieldPath('allowedIps.2')).toEqual({ name: 'allowedIps', index: 2 });
    expect(parseFieldPath('name')).toEqual({ name: 'name', index: null });
  });
});
