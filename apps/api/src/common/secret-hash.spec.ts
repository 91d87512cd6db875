import { generateTokenSecret } from '@tessera/domain';
import { hashTokenSecret } from './secret-hash';

describe('hashTokenSecret', () => {
  it('is the lower-case hex SHA-256 of the secret (FIPS 180-2 vector)', () => {
    expect(hashTokenSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes the UTF-8 bytes of the text', () => {
    // 'é' is C3 A9 in UTF-8 (not the Latin-1 byte E9).
    expect(hashTokenSecret('é')).toBe('4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c');
  });

  it('gives 64 hex characters for any generated secret', () => {
    expect(hashTokenSecret(generateTokenSecret())).toMatch(/^[0-9a-f]{64}$/);
  });
});
