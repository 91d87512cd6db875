/** Every service asks the Clock for the time instead of `new Date()`, so tests can move time. */
export interface Clock {
  now(): Date;
}

/** Injection token: `@Inject(CLOCK) private readonly clock: Clock`. */
export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => new Date() };
