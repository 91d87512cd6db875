import fc from 'fast-check';
import { RequestLogSampler, SAMPLED_STATUSES } from './request-log-sampler';

describe('RequestLogSampler', () => {
  function aSampler(perSecond = 20): { sampler: RequestLogSampler; advance: (ms: number) => void } {
    let now = 0;
    return { sampler: new RequestLogSampler({ perSecond, now: () => now }), advance: (ms) => (now += ms) };
  }

  it('writes a burst of refusals up to the rate, counts the rest by status, and refills with time', () => {
    const { sampler, advance } = aSampler(20);
    const written = Array.from({ length: 100 }, (_, i) => sampler.admit(i % 2 ? 401 : 429)).filter(Boolean).length;
    expect(written).toBe(20);
    expect(sampler.admit(200)).toBe(true); // successes are never sampled
    advance(500);
    expect(Array.from({ length: 100 }, () => sampler.admit(403)).filter(Boolean).length).toBe(10);
    advance(250);
    expect(sampler.report()).toEqual({ total: 170, byStatus: { '401': 40, '403': 90, '429': 40 }, sinceMs: 750 });
    expect(sampler.report()).toBeNull();
  });

  it('never writes more than the rate allows nor leaves a sampled answer uncounted (property)', () => {
    const answer = fc.record({
      status: fc.constantFrom(200, 201, 204, 400, 404, 409, 500, ...SAMPLED_STATUSES),
      afterMs: fc.integer({ min: 0, max: 400 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.array(answer, { maxLength: 400 }), (perSecond, answers) => {
        const { sampler, advance } = aSampler(perSecond);
        let now = 0;
        const writtenAt: number[] = [];
        let sampled = 0;
        for (const a of answers) {
          advance(a.afterMs);
          now += a.afterMs;
          const written = sampler.admit(a.status);
          if (!SAMPLED_STATUSES.includes(a.status)) {
            expect(written).toBe(true);
            continue;
          }
          sampled++;
          if (written) writtenAt.push(now);
        }
        expect(writtenAt.length + (sampler.report()?.total ?? 0)).toBe(sampled);
        // Within any window of w ms: at most a full burst plus what refills in w.
        for (let i = 0; i < writtenAt.length; i++) {
          for (let j = i; j < writtenAt.length; j++) {
            const w = (writtenAt[j] ?? 0) - (writtenAt[i] ?? 0);
            expect(j - i + 1).toBeLessThanOrEqual(perSecond + Math.floor((w * perSecond) / 1000) + 1);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
