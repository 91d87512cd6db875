import ipaddr from 'ipaddr.js';
import { boundedMemo } from '../common/bounded-memo';
import { normalizeIp } from './client-ip';

/** Longest key kept for a client address that is not an address at all (a socket oddity). */
const MAX_RAW_KEY = 64;

/**
 * The throttling bucket of a client address: an IPv4 address counts alone (`203.0.113.7`), an
 * IPv6 address counts with its whole /64 (`2001:db8:1:2::/64`), because one subscriber or one
 * cloud host is usually given a /64 and can rotate through its 2^64 addresses at will.
 * IPv4-mapped IPv6 (`::ffff:203.0.113.7`) is its IPv4 address. Text that is not an address is
 * its own bucket (truncated), so nothing is ever unthrottled for being odd.
 */
export function addressBucket(ip: string): string {
  if (ip.length > MAX_RAW_KEY) return bucketOf(ip); // never an address: not worth remembering
  return rememberedBucket(ip);
}

/**
 * Addresses seen lately → their bucket: the guard asks for every authenticated request (is this
 * address throttled?), and parsing with ipaddr.js each time was ≈ 3 % of the api's CPU under
 * load. At most 4 096 entries (≈ 0.6 MiB), emptied when full.
 */
const rememberedBucket = boundedMemo(4096, bucketOf);

function bucketOf(ip: string): string {
  const normal = normalizeIp(ip);
  if (normal === null) return `raw:${ip.slice(0, MAX_RAW_KEY)}`;
  if (!normal.includes(':')) return normal;
  const parts = ipaddr.IPv6.parse(normal).parts;
  const prefix = parts.slice(0, 4).map((p) => p.toString(16));
  return `${ipaddr.IPv6.parse(`${prefix.join(':')}::`).toString()}/64`;
}
