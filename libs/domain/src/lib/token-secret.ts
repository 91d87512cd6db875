/** Prefix of API token secrets. */
export const TOKEN_PREFIX = 'tsr';
/** Prefix of login session bearer tokens (same format as API tokens). */
export const SESSION_PREFIX = 'tss';

/** Base62 alphabet: digits, upper case, lower case. */
export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Number of random base62 characters in a secret. */
export const SECRET_RANDOM_LENGTH = 40;
/** Number of base62 characters of the CRC32 checksum. */
export const SECRET_CHECKSUM_LENGTH = 6;

const PREFIX_PATTERN = /^[a-z]{3}$/;
/** prefix (3) + '_' + random (40) + checksum (6) */
const SECRET_LENGTH = 3 + 1 + SECRET_RANDOM_LENGTH + SECRET_CHECKSUM_LENGTH;

const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as zlib) over the char codes of an ASCII string. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc = (CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Encodes a uint32 as exactly 6 base62 characters, most significant first. */
function checksumText(value: number): string {
  let out = '';
  let v = value;
  for (let i = 0; i < SECRET_CHECKSUM_LENGTH; i++) {
    out = BASE62_ALPHABET.charAt(v % 62) + out;
    v = Math.floor(v / 62);
  }
  return out;
}

function randomBase62(length: number): string {
  let out = '';
  const bytes = new Uint8Array(64);
  while (out.length < length) {
    globalThis.crypto.getRandomValues(bytes);
    for (let i = 0; i < bytes.length && out.length < length; i++) {
      const b = bytes[i] as number;
      // 248 = 4 * 62: rejecting larger bytes keeps every character equally likely.
      if (b < 248) out += BASE62_ALPHABET.charAt(b % 62);
    }
  }
  return out;
}

/**
 * A new secret: `${prefix}_` + 40 base62 characters from the platform's
 * cryptographic RNG + 6 base62 characters of CRC32 over everything before.
 */
export function generateTokenSecret(prefix: string = TOKEN_PREFIX): string {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new Error(`Token prefix "${prefix}" must be three lower-case letters`);
  }
  const head = `${prefix}_${randomBase62(SECRET_RANDOM_LENGTH)}`;
  return head + checksumText(crc32(head));
}

function isBase62Code(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * True when the string has the secret format and a correct checksum. Needs no
 * database: a mistyped or forged string is rejected here. `prefix` defaults to
 * any three lower-case letters.
 */
export function isWellFormedTokenSecret(secret: string, prefix?: string): boolean {
  if (typeof secret !== 'string' || secret.length !== SECRET_LENGTH) return false;
  for (let i = 0; i < 3; i++) {
    const c = secret.charCodeAt(i);
    if (c < 97 || c > 122) return false;
  }
  if (prefix !== undefined && secret.slice(0, 3) !== prefix) return false;
  if (secret.charCodeAt(3) !== 95 /* _ */) return false;
  for (let i = 4; i < SECRET_LENGTH; i++) {
    if (!isBase62Code(secret.charCodeAt(i))) return false;
  }
  const cut = SECRET_LENGTH - SECRET_CHECKSUM_LENGTH;
  return checksumText(crc32(secret.slice(0, cut))) === secret.slice(cut);
}

/** Enough of a secret to recognise it, never enough to use it: 'tsr_AbCd…wxYz'. */
export function tokenHint(secret: string): string {
  const underscore = secret.indexOf('_');
  if (underscore > 0 && underscore <= 8 && secret.length >= underscore + 1 + 12) {
    return `${secret.slice(0, underscore + 5)}…${secret.slice(-4)}`;
  }
  return secret.length >= 12 ? `${secret.slice(0, 4)}…${secret.slice(-4)}` : '…';
}
