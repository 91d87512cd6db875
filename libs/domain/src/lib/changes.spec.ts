import fc from 'fast-check';
import {
  CHANGE_STREAM_LIMITS,
  changesQuerySchema,
  formatChangeEventId,
  parseChangeEventId,
} from './changes';
import { validate } from './dto';

describe('change event ids', () => {
  it('reads back every id it writes', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        (generation, sequence) => {
          expect(parseChangeEventId(formatChangeEventId({ generation, sequence }))).toEqual({
            generation,
            sequence,
          });
        },
      ),
    );
  });

  it('refuses anything else as a resume point (a forged id never resumes)', () => {
    for (const bad of [
      '',
      '12',
      'g.',
      '.3',
      'g.-1',
      'g.01',
      'g.1.2',
      'g h.1',
      'g.99999999999999999',
      'x'.repeat(65) + '.1',
      null,
      undefined,
    ]) {
      expect(parseChangeEventId(bad)).toBeNull();
    }
    fc.assert(
      fc.property(fc.string(), (s) => {
        const parsed = parseChangeEventId(s);
        if (parsed) expect(formatChangeEventId(parsed)).toBe(s.trim());
      }),
    );
  });
});

describe('changesQuerySchema', () => {
  it('defaults the heartbeat and bounds it', () => {
    expect(changesQuerySchema.parse({})).toEqual({
      heartbeat: CHANGE_STREAM_LIMITS.heartbeatDefaultMs,
    });
    expect(changesQuerySchema.parse({ heartbeat: '500' })).toEqual({ heartbeat: 500 });
    for (const heartbeat of ['10', '600001', 'soon', '1.5']) {
      const r = validate(changesQuerySchema, { heartbeat });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors.map((e) => e.field)).toEqual(['heartbeat']);
    }
    const unknown = validate(changesQuerySchema, { since: '1' });
    expect(unknown.ok).toBe(false);
  });
});
