import fc from 'fast-check';
import { sha256Bytes, sha256Hex } from './sha256';

async function webCryptoHex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Buffer.from(digest).toString('hex');
}

describe('sha256Hex', () => {
  it('matches the FIPS 180-4 test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('hashes a million a', () => {
    expect(sha256Hex('a'.repeat(1_000_000))).toBe(
      'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
    );
  });

  it('agrees with WebCrypto on block boundaries (55, 56, 63, 64, 65 bytes)', async () => {
    for (const n of [55, 56, 57, 63, 64, 65, 119, 120, 128]) {
      const text = 'x'.repeat(n);
      expect(sha256Hex(text)).toBe(await webCryptoHex(text));
    }
  });

  it('agrees with WebCrypto on any text, UTF-8 included', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), async (text) => {
        expect(sha256Hex(text)).toBe(await webCryptoHex(text));
      }),
      { numRuns: 300 },
    );
  });
});

describe('sha256Bytes', () => {
  it('agrees with WebCrypto on random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const expected = Buffer.from(await globalThis.crypto.subtle.digest('SHA-256', bytes)).toString('hex');
        expect(Buffer.from(sha256Bytes(bytes)).toString('hex')).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
