import { boundedMemo } from './bounded-memo';

describe('boundedMemo', () => {
  it('computes a key once while it is remembered, and again after the memory filled up', () => {
    const compute = jest.fn((key: string) => key.toUpperCase());
    const memo = boundedMemo(3, compute);
    expect([memo('a'), memo('a'), memo('b'), memo('c')]).toEqual(['A', 'A', 'B', 'C']);
    expect(compute).toHaveBeenCalledTimes(3);
    expect(memo('d')).toBe('D'); // full: everything forgotten, then d remembered
    expect(memo('a')).toBe('A');
    expect(compute).toHaveBeenCalledTimes(5);
    expect(memo('d')).toBe('D');
    expect(compute).toHaveBeenCalledTimes(5);
  });
});
