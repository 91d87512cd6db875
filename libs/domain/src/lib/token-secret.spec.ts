import fc from 'fast-check';
import {
  BASE62_ALPHABET,
  SESSION_PREFIX,
  TOKEN_PREFIX,
  crc32,
  generateTokenSecret,
  isWellFormedTokenSecret,
  tokenHint,
} from './token-secret';

describe('generateTokenSecret', () => {
  it('is tsr_ + 40 base62 random characters + 6 base62 checksum characters', () => {
    const secret = generateTokenSecret();
    expect(secret).toMatch(/^tsr_[0-9A-Za-z]{46}$/);
    expect(secret).toHaveLength(50);
  });

  it('uses the prefix it is given (sessions: tss)', () => {
    expect(generateTokenSecret(SESSION_PREFIX).startsWith('tss_')).toBe(true);
    expect(TOKEN_PREFIX).toBe('tsr');
  });

  it('refuses a prefix that is not three lower-case letters', () => {
    for (const bad of ['', 'ts', 'tsrx', 'TSR', 't_r', '12a']) {
      expect(() => generateTokenSecret(bad)).toThrow(/three lower-case letters/);
    }
  });

  it('never repeats itself and uses the whole alphabet', () => {
    const secrets = Array.from({ length: 2000 }, () => generateTokenSecret());
    expect(new Set(secrets).size).toBe(secrets.length);
    const seen = new Set(secrets.flatMap((s) => [...s.slice(4, 44)]));
    expect(seen.size).toBe(BASE62_ALPHABET.length);
  });

  it('produces secrets that are well-formed', () => {
    for (let i = 0; i < 500; i++) expect(isWellFormedTokenSecret(generateTokenSecret())).toBe(true);
  });
});

describe('crc32', () => {
  it('is the IEEE CRC-32 of zlib', () => {
    expect(crc32('')).toBe(0);
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('The quick brown fox jumps over the lazy dog')).toBe(0x414fa339);
  });
});

describe('isWellFormedTokenSecret', () => {
  const secret = generateTokenSecret();

  it('accepts a generated secret, with or without naming its prefix', () => {
    expect(isWellFormedTokenSecret(secret)).toBe(true);
    expect(isWellFormedTokenSecret(secret, 'tsr')).toBe(true);
    expect(isWellFormedTokenSecret(secret, 'tss')).toBe(false);
  });

  it('rejects any single-character change (the checksum catches typos)', () => {
    fc.assert(
      fc.property(fc.nat(secret.length - 1), fc.constantFrom(...BASE62_ALPHABET), (pos, ch) => {
        fc.pre(pos !== 3 && secret[pos] !== ch);
        const changed = secret.slice(0, pos) + ch + secret.slice(pos + 1);
        expect(isWellFormedTokenSecret(changed)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects swapped neighbouring characters', () => {
    for (let i = 4; i < secret.length - 1; i++) {
      if (secret[i] === secret[i + 1]) continue;
      const swapped = secret.slice(0, i) + secret[i + 1] + secret[i] + secret.slice(i + 2);
      expect(isWellFormedTokenSecret(swapped)).toBe(false);
    }
  });

  it('rejects empty, short, long, garbage and non-string input', () => {
    for (const bad of [
      '',
      'tsr_',
      secret.slice(0, -1),
      `${secret}x`,
      ' '.repeat(50),
      `${secret.slice(0, 49)}!`,
      'x'.repeat(100_000),
    ]) {
      expect(isWellFormedTokenSecret(bad)).toBe(false);
    }
    expect(isWellFormedTokenSecret(undefined as unknown as string)).toBe(false);
    expect(isWellFormedTokenSecret(`TSR${secret.slice(3)}`)).toBe(false);
    expect(isWellFormedTokenSecret(`tsr-${secret.slice(4)}`)).toBe(false);
  });

  it('rejects random strings of the right shape', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...BASE62_ALPHABET), minLength: 46, maxLength: 46 }),
        (body) => {
          const candidate = `tsr_${body}`;
          const ok = isWellFormedTokenSecret(candidate);
          // only a correct checksum passes
          const head = candidate.slice(0, 44);
          let v = crc32(head);
          let sum = '';
          for (let i = 0; i < 6; i++) {
            sum = BASE62_ALPHABET[v % 62] + sum;
            v = Math.floor(v / 62);
          }
          expect(ok).toBe(candidate.endsWith(sum));
        },
      ),
    );
  });
});

describe('tokenHint', () => {
  it('shows the prefix, four characters from each end, and no more', () => {
    const secret = generateTokenSecret();
    const hint = tokenHint(secret);
    expect(hint).toBe(`tsr_${secret.slice(4, 8)}…${secret.slice(-4)}`);
    expect(hint.replace('…', '').length).toBeLessThan(16);
  });

  it('reveals nothing useful for short or odd strings', () => {
    expect(tokenHint('')).toBe('…');
    expect(tokenHint('tsr_abc')).toBe('…');
    expect(tokenHint('abcdefghijklmnop')).toBe('abcd…mnop');
  });
});
