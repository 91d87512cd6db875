// Token secrets in the domain format (libs/domain/src/lib/token-secret.ts), for seeding:
// `${prefix}_` + 40 base62 characters (crypto RNG) + 6 base62 characters of CRC-32 over the rest.
// Re-implemented here because the bench is plain Node and @tessera/domain is TypeScript; the
// bench checks a sample against the running api (a seeded token must answer 200).
import { createHash, randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(text) {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function checksumText(value) {
  let out = '';
  let v = value;
  for (let i = 0; i < 6; i++) {
    out = BASE62.charAt(v % 62) + out;
    v = Math.floor(v / 62);
  }
  return out;
}

/** A pool of random bytes refilled in large blocks (100 000 secrets need ~4 MB). */
let pool = Buffer.alloc(0);
let poolAt = 0;
function randomByte() {
  if (poolAt >= pool.length) {
    pool = randomBytes(1 << 16);
    poolAt = 0;
  }
  return pool[poolAt++];
}

export function generateSecret(prefix = 'tsr') {
  let head = `${prefix}_`;
  while (head.length < 44) {
    const b = randomByte();
    if (b < 248) head += BASE62.charAt(b % 62);
  }
  return head + checksumText(crc32(head));
}

export function hashSecret(secret) {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function hintOf(secret) {
  return `${secret.slice(0, 8)}…${secret.slice(-4)}`;
}
