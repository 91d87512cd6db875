import fc from 'fast-check';
import { parseTrustProxy } from '../config/app-config';
import { compileTrust, normalizeIp, resolveClientIp } from './client-ip';

const loopbackTrust = compileTrust(parseTrustProxy('loopback'));
const proxiesTrust = compileTrust(parseTrustProxy('10.0.0.0/8, 2001:db8:ffff::/48'));

const publicV4 = fc
  .tuple(fc.integer({ min: 11, max: 99 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 }))
  .map((p) => p.join('.'));
const trustedV4 = fc.tuple(fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })).map((p) => `10.${p.join('.')}`);
const anyText = fc.oneof(publicV4, trustedV4, fc.string({ maxLength: 20 }), fc.constant('unknown'), fc.constant('::ffff:10.1.1.1'));

describe('normalizeIp', () => {
  it('turns IPv4-mapped IPv6 into the IPv4 address', () => {
    expect(normalizeIp('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(normalizeIp('::FFFF:cb00:7109')).toBe('203.0.113.9');
  });

  it('compacts IPv6, drops zone ids and brackets', () => {
    expect(normalizeIp('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(normalizeIp('fe80::1%eth0')).toBe('fe80::1');
    expect(normalizeIp('[2001:db8::7]')).toBe('2001:db8::7');
  });

  it('refuses what is not an address, including legacy IPv4 forms', () => {
    for (const bad of ['', 'unknown', '1', '0x7f.1', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.4:80', 'a b']) {
      expect(normalizeIp(bad)).toBeNull();
    }
  });
});

describe('resolveClientIp', () => {
  it('ignores X-Forwarded-For when no proxy is trusted', () => {
    expect(resolveClientIp('127.0.0.1', '10.1.2.3', { mode: 'none' })).toBe('127.0.0.1');
    expect(resolveClientIp('::ffff:127.0.0.1', '10.1.2.3', { mode: 'none' })).toBe('127.0.0.1');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(resolveClientIp('198.51.100.1', '10.1.2.3', proxiesTrust)).toBe('198.51.100.1');
  });

  it('reads X-Forwarded-For from the right, skipping trusted proxies', () => {
    expect(resolveClientIp('127.0.0.1', '203.0.113.9', loopbackTrust)).toBe('203.0.113.9');
    expect(resolveClientIp('10.0.0.2', '198.51.100.4, 203.0.113.9, 10.0.0.7', proxiesTrust)).toBe('203.0.113.9');
    expect(resolveClientIp('10.0.0.2', '2001:db8::1, 2001:db8:ffff::3', proxiesTrust)).toBe('2001:db8::1');
    expect(resolveClientIp('::ffff:10.0.0.2', '::ffff:203.0.113.9', proxiesTrust)).toBe('203.0.113.9');
  });

  it('stops at an entry that is not an address and answers the last trusted hop', () => {
    expect(resolveClientIp('10.0.0.2', '203.0.113.9, garbage, 10.0.0.9', proxiesTrust)).toBe('10.0.0.9');
  });

  it('answers the leftmost address when every hop is trusted', () => {
    expect(resolveClientIp('10.0.0.2', '10.0.0.3, 10.0.0.4', proxiesTrust)).toBe('10.0.0.3');
  });

  it('with a hop count, takes the n-th address from the right', () => {
    const one = compileTrust(parseTrustProxy('1'));
    const two = compileTrust(parseTrustProxy('2'));
    expect(resolveClientIp('198.51.100.1', '1.1.1.1, 2.2.2.2, 3.3.3.3', one)).toBe('3.3.3.3');
    expect(resolveClientIp('198.51.100.1', '1.1.1.1, 2.2.2.2, 3.3.3.3', two)).toBe('2.2.2.2');
    expect(resolveClientIp('198.51.100.1', '3.3.3.3', two)).toBe('3.3.3.3');
    expect(resolveClientIp('198.51.100.1', undefined, two)).toBe('198.51.100.1');
  });

  it('never answers a spoofed leftmost entry when an untrusted hop sits to its right (property)', () => {
    fc.assert(
      fc.property(fc.array(anyText, { maxLength: 5 }), publicV4, fc.array(trustedV4, { maxLength: 4 }), (spoofed, client, proxies) => {
        const header = [...spoofed, client, ...proxies].join(', ');
        expect(resolveClientIp('10.0.0.1', header, proxiesTrust)).toBe(client);
      }),
    );
  });

  it('always answers a valid address, and the socket address when X-Forwarded-For is absent (property)', () => {
    fc.assert(
      fc.property(fc.option(fc.array(anyText, { maxLength: 6 }).map((a) => a.join(','))), publicV4, (header, peer) => {
        for (const trust of [loopbackTrust, proxiesTrust, compileTrust(parseTrustProxy('3')), { mode: 'none' as const }]) {
          const ip = resolveClientIp(peer, header ?? undefined, trust);
          expect(normalizeIp(ip)).toBe(ip);
          if (header === null) expect(ip).toBe(peer);
        }
      }),
    );
  });
});
