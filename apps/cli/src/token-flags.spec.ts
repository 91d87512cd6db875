import fc from 'fast-check';
import { collect, parseWhen } from './token-flags';
import { CliError } from './exit-codes';

const NOW = new Date('2030-01-01T00:00:00Z');

describe('token flags', () => {
  it('collects repeated and comma-separated values; an empty value is the empty list', () => {
    expect(collect('a,b', undefined)).toEqual(['a', 'b']);
    expect(collect(' c ', ['a', 'b'])).toEqual(['a', 'b', 'c']);
    expect(collect('GET /api/v1/tokens/**', undefined)).toEqual(['GET /api/v1/tokens/**']);
    expect(collect('', undefined)).toEqual([]);
  });

  it('reads never, durations, dates and date-times with offset', () => {
    expect(parseWhen('--expires', 'never', NOW, true)).toBeNull();
    expect(parseWhen('--expires', '30d', NOW, true)).toBe('2030-01-31T00:00:00.000Z');
    expect(parseWhen('--expires', '12h', NOW, true)).toBe('2030-01-01T12:00:00.000Z');
    expect(parseWhen('--expires', '1y', NOW, true)).toBe('2031-01-01T00:00:00.000Z');
    expect(parseWhen('--expires', '2031-06-30', NOW, true)).toBe('2031-06-30T00:00:00.000Z');
    expect(parseWhen('--expires', '2031-06-30T10:00:00+02:00', NOW, true)).toBe('2031-06-30T08:00:00.000Z');
  });

  it('refuses anything else with a usage error naming the flag (never a silent "never expires")', () => {
    for (const bad of ['', 'tomorrow', '30', '30 days', '2031-13-45', '2031-06-30T10:00:00', 'never-ever']) {
      expect(() => parseWhen('--expires', bad, NOW, true)).toThrow(CliError);
      expect(() => parseWhen('--expires', bad, NOW, true)).toThrow(/--expires/);
    }
    expect(() => parseWhen('--valid-from', 'never', NOW, false)).toThrow(/--valid-from/);
  });

  it('answers either a valid ISO date-time or a usage error, for any input', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        let result: string | null | undefined;
        try {
          result = parseWhen('--expires', value, NOW, true);
        } catch (err) {
          expect(err).toBeInstanceOf(CliError);
          return;
        }
        if (result !== null) expect(new Date(result).toISOString()).toBe(result);
      }),
    );
  });
});
