import { etagOf, ifMatchAccepts } from './token-mapper';

describe('token ETags', () => {
  it('writes the version as a strong ETag', () => {
    expect(etagOf(3)).toBe('"3"');
  });

  it.each([
    ['"3"', true],
    ['W/"3"', true],
    ['*', true],
    ['"1", "3"', true],
    [' "3" ', true],
    ['3', true],
    ['"2"', false],
    ['"33"', false],
    ['', false],
    ['garbage', false],
  ])('If-Match %j against version 3 → %s', (header, expected) => {
    expect(ifMatchAccepts(header, 3)).toBe(expected);
  });
});
