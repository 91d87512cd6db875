import fc from 'fast-check';
import { HashQueueFullError, HashSlots } from './password-hasher';

/** Lets pending promise callbacks run. */
const settle = () => new Promise((r) => setImmediate(r));

describe('HashSlots (at most N argon2 jobs at once, a bounded queue, then refusal)', () => {
  it('never runs more than its concurrency, queues at most its limit in order, and refuses exactly when full', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.constantFrom('submit', 'finish'), { maxLength: 40 }),
        async (concurrency, queueLimit, ops) => {
          const slots = new HashSlots(concurrency, queueLimit);
          const started: number[] = [];
          const finishers = new Map<number, () => void>();
          let refused = 0;
          let submitted = 0;
          let live = 0;
          let whenFull = 0;
          for (const op of ops) {
            if (op === 'submit') {
              const id = submitted++;
              const wasFull = slots.full();
              slots
                .run(
                  () =>
                    new Promise<void>((resolve) => {
                      started.push(id);
                      finishers.set(id, resolve);
                    }),
                )
                .then(
                  () => undefined,
                  (err: unknown) => {
                    expect(err).toBeInstanceOf(HashQueueFullError);
                    refused++;
                  },
                );
              if (wasFull) whenFull++;
              else live++;
            } else {
              const oldest = [...finishers.keys()][0];
              if (oldest !== undefined) {
                finishers.get(oldest)?.();
                finishers.delete(oldest);
                live--;
              }
            }
            await settle();
            const { running, queued } = slots.state();
            expect(running).toBeLessThanOrEqual(concurrency);
            expect(queued).toBeLessThanOrEqual(queueLimit);
            expect(running + queued).toBe(live);
            expect(finishers.size).toBe(running);
          }
          expect(refused).toBe(whenFull);
          // Jobs start in the order they were accepted.
          expect(started).toEqual([...started].sort((a, b) => a - b));
          for (const finish of finishers.values()) finish();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('frees its slot when a job fails', async () => {
    const slots = new HashSlots(1, 0);
    await expect(slots.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(slots.state()).toEqual({ running: 0, queued: 0 });
    await expect(slots.run(() => Promise.resolve(7))).resolves.toBe(7);
  });
});
