import type { ValueTransformer } from 'typeorm';

/** PostgreSQL bigint arrives as a string; counters here stay far below 2^53. */
export const bigintToNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? 0 : Number(value)),
};
