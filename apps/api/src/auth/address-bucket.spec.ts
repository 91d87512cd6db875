import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { addressBucket } from './address-bucket';

const hextet = fc.integer({ min: 0, max: 0xffff });
const v6Parts = fc.array(hextet, { minLength: 8, maxLength: 8 });
const v4Parts = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 });

/** Spellings of one IPv6 address: compact, expanded, fixed length, upper case, bracketed, with a zone. */
function spell(parts: number[], how: number): string {
  const addr = new ipaddr.IPv6(parts);
  const all = [
    addr.toString(),
    addr.toNormalizedString(),
    parts.map((p) => p.toString(16).padStart(4, '0')).join(':'),
    addr.toString().toUpperCase(),
    `[${addr.toString()}]`,
    `${addr.toString()}%eth0`,
  ];
  return all[how % all.length] ?? addr.toString();
}

describe('addressBucket', () => {
  it('puts every IPv6 address of a /64 in the same bucket, whatever its spelling', () => {
    fc.assert(
      fc.property(
        v6Parts,
        fc.array(hextet, { minLength: 4, maxLength: 4 }),
        fc.array(hextet, { minLength: 4, maxLength: 4 }),
        fc.nat(),
        fc.nat(),
        (parts, hostA, hostB, howA, howB) => {
          const net = parts.slice(0, 4);
          const a = [...net, ...hostA];
          const b = [...net, ...hostB];
          // IPv4-mapped addresses (::ffff:0:0/96) are IPv4, not part of a /64: tested below.
          fc.pre(!new ipaddr.IPv6(a).isIPv4MappedAddress() && !new ipaddr.IPv6(b).isIPv4MappedAddress());
          return addressBucket(spell(a, howA)) === addressBucket(spell(b, howB));
        },
      ),
    );
  });

  it('puts IPv6 addresses of different /64s in different buckets', () => {
    fc.assert(
      fc.property(v6Parts, v6Parts, (a, b) => {
        fc.pre(a.slice(0, 4).join() !== b.slice(0, 4).join());
        fc.pre(!new ipaddr.IPv6(a).isIPv4MappedAddress() && !new ipaddr.IPv6(b).isIPv4MappedAddress());
        return addressBucket(new ipaddr.IPv6(a).toString()) !== addressBucket(new ipaddr.IPv6(b).toString());
      }),
    );
  });

  it('buckets an IPv4-mapped IPv6 address exactly like its IPv4 address', () => {
    fc.assert(
      fc.property(v4Parts, (octets) => {
        const v4 = octets.join('.');
        const mapped = ipaddr.IPv4.parse(v4).toIPv4MappedAddress();
        expect(addressBucket(`::ffff:${v4}`)).toBe(v4);
        expect(addressBucket(mapped.toString())).toBe(v4);
        expect(addressBucket(mapped.toNormalizedString().toUpperCase())).toBe(v4);
      }),
    );
  });

  it('gives every IPv4 address a bucket of its own', () => {
    fc.assert(
      fc.property(v4Parts, v4Parts, (a, b) => {
        fc.pre(a.join() !== b.join());
        return addressBucket(a.join('.')) !== addressBucket(b.join('.')) && addressBucket(a.join('.')) === a.join('.');
      }),
    );
  });

  it('names the /64', () => {
    expect(addressBucket('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:db8::1')).toBe('2001:db8::/64');
    expect(addressBucket('::1')).toBe('::/64');
  });

  it('keeps text that is not an address in a bounded bucket of its own', () => {
    expect(addressBucket('unknown')).toBe('raw:unknown');
    expect(addressBucket('x'.repeat(1000)).length).toBeLessThanOrEqual(68);
    fc.assert(fc.property(fc.string(), (s) => addressBucket(s).length <= 68));
  });

  it('answers the same once its memory of addresses has filled and been emptied', () => {
    const first = ['2001:db8:1:2::7', '::ffff:203.0.113.9', 'not an address'].map(addressBucket);
    for (let i = 0; i < 5_000; i++) addressBucket(`10.${(i >> 8) & 255}.${i & 255}.1`);
    expect(['2001:db8:1:2::7', '::ffff:203.0.113.9', 'not an address'].map(addressBucket)).toEqual(first);
    expect(first).toEqual(['2001:db8:1:2::/64', '203.0.113.9', 'raw:not an address']);
  });
});
