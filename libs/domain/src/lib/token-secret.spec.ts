import { hashTokenSecret, generateTokenSecret, isWellFormedTokenSecret } from '../index';
it('works', () => {
  expect(hashTokenSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  expect(isWellFormedTokenSecret(generateTokenSecret())).toBe(true);
});
