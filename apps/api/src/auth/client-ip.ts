import { createIpMatcher, type IpMatcher } from '@tessera/domain';
import ipaddr from 'ipaddr.js';
import type { TrustProxy } from '../config/app-config';
import { boundedMemo } from '../common/bounded-memo';

/**
 * Canonical text of an address: IPv4-mapped IPv6 ('::ffff:1.2.3.4') becomes the IPv4 address,
 * IPv6 is compacted (RFC 5952) and loses any zone id. null when not an address.
 */
export function normalizeIp(raw: string): string | null {
  let text = raw.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  if (!ipaddr.isValid(text)) return null;
  // ipaddr.isValid accepts legacy IPv4 forms ('1', '0x7f.1'); require four decimal parts.
  if (!text.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(text)) return null;
  const addr = ipaddr.parse(text);
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    return v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toString();
  }
  return addr.toString();
}

/**
 * normalizeIp of a socket address, remembered for the last 4 096 addresses (a keep-alive client
 * sends many requests from one): parsed once per address, not per request.
 */
const normalizedPeer = boundedMemo(4096, (socket) => normalizeIp(socket) ?? socket);

export type CompiledTrust = { mode: 'none' } | { mode: 'hops'; hops: number } | { mode: 'cidrs'; matcher: IpMatcher };

export function compileTrust(trust: TrustProxy): CompiledTrust {
  if (trust.mode === 'cidrs') return { mode: 'cidrs', matcher: createIpMatcher(trust.rules) };
  return trust;
}

/**
 * The client address per SPEC §4. Without trusted proxies: the socket address; X-Forwarded-For
 * is ignored. With TRUST_PROXY:
 * - CIDRs: when the socket peer is trusted, X-Forwarded-For is read from the right, skipping
 *   trusted proxies; the first address that is not one of them is the client. An entry that is
 *   not an address stops the walk and the last trusted hop is the client. A spoofed leftmost entry
 *   is therefore never chosen while an untrusted hop sits to its right.
 * - hop count n: the n-th address from the right of [X-Forwarded-For…, socket] (the socket is hop
 *   0); when the header is shorter, its leftmost valid address.
 */
export function resolveClientIp(socket: string, forwardedFor: string | undefined, trust: CompiledTrust): string {
  const peer = normalizedPeer(socket);
  if (trust.mode === 'none' || !forwardedFor) return peer;
  const hops = forwardedFor.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (trust.mode === 'hops') {
    let client = peer;
    for (let i = 0; i < trust.hops && i < hops.length; i++) {
      const next = normalizeIp(hops[hops.length - 1 - i] ?? '');
      if (next === null) break;
      client = next;
    }
    return client;
  }
  if (!trust.matcher.matches(peer)) return peer;
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const next = normalizeIp(hops[i] ?? '');
    if (next === null) return client;
    client = next;
    if (!trust.matcher.matches(next)) return next;
  }
  return client;
}
