import fc from 'fast-check';
import * as ipaddr from 'ipaddr.js';
import {
  createIpMatcher,
  ipRuleProblem,
  ipRulesCover,
  isValidIp,
  isValidIpRule,
  normalizeIpRule,
} from './ip';

// ---------------------------------------------------------------------------
// An independent model: addresses and rules as BigInt values and ranges.
// ---------------------------------------------------------------------------

type Fam = 4 | 6;
interface ModelAddress {
  family: Fam;
  value: bigint;
}
interface ModelRule {
  family: Fam;
  start: bigint;
  end: bigint;
}

const MAPPED_PREFIX = 0xffffn << 32n;

/** In the model an IPv6 address in ::ffff:0:0/96 is the IPv4 address. */
function modelAddress(family: Fam, value: bigint): ModelAddress {
  if (family === 6 && value >> 32n === 0xffffn) return { family: 4, value: value & 0xffffffffn };
  return { family, value };
}

function modelMatches(rules: ModelRule[], a: ModelAddress): boolean {
  return rules.some((r) => r.family === a.family && r.start <= a.value && a.value <= r.end);
}

function v4Text(value: bigint): string {
  const v = Number(value);
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** Full, uncompressed IPv6 text, random case and optional leading zeros. */
function v6Full(value: bigint, style: number): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) {
    let g = ((value >> BigInt(i * 16)) & 0xffffn).toString(16);
    if (style & 1) g = g.padStart(4, '0');
    if (style & 2) g = g.toUpperCase();
    groups.push(g);
  }
  return groups.join(':');
}

/** IPv6 text in one of several legal spellings. */
function v6Text(value: bigint, style: number): string {
  switch (style % 4) {
    case 0:
      return v6Full(value, style >> 2);
    case 1:
      return ipaddr.fromByteArray(bytesOf(value)).toString(); // ipaddr's compressed form
    case 2: {
      const text = (ipaddr.fromByteArray(bytesOf(value)) as ipaddr.IPv6).toRFC5952String();
      return style & 4 ? text.toUpperCase() : text;
    }
    default: {
      // last 32 bits as dotted IPv4, unless that would be the ambiguous '::a.b.c.d'
      const head = value >> 32n;
      if (head === 0n) return v6Full(value, 0);
      const groups: string[] = [];
      for (let i = 5; i >= 0; i--) groups.push(((head >> BigInt(i * 16)) & 0xffffn).toString(16));
      return `${groups.join(':')}:${v4Text(value & 0xffffffffn)}`;
    }
  }
}

function bytesOf(value: bigint): number[] {
  const bytes: number[] = [];
  for (let i = 15; i >= 0; i--) bytes.push(Number((value >> BigInt(i * 8)) & 0xffn));
  return bytes;
}

const u32 = fc.bigInt({ min: 0n, max: 0xffffffffn });
const u128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });

/** A random rule with its text in some legal spelling. */
const arbRule = fc.oneof(
  fc
    .record({
      value: u32,
      prefix: fc.integer({ min: 0, max: 32 }),
      mapped: fc.boolean(),
      style: fc.nat(15),
    })
    .map(({ value, prefix, mapped, style }) => {
      const host = (1n << BigInt(32 - prefix)) - 1n;
      const start = value & ~host & 0xffffffffn;
      const model: ModelRule = { family: 4, start, end: start | host };
      const addr = mapped ? `${style & 2 ? '::FFFF' : '::ffff'}:${v4Text(start)}` : v4Text(start);
      const p = mapped ? prefix + 96 : prefix;
      const text = prefix === 32 && style & 1 ? addr : `${addr}/${p}`;
      return { text, model };
    }),
  fc
    .record({ value: u128, prefix: fc.integer({ min: 0, max: 128 }), style: fc.nat(15) })
    .map(({ value, prefix, style }) => {
      const host = (1n << BigInt(128 - prefix)) - 1n;
      let start = value & ~host & ((1n << 128n) - 1n);
      // a network inside ::ffff:0:0/96 is spelled as IPv4 by the mapped branch above
      if (start >> 32n === 0xffffn) start = 0n;
      const model: ModelRule = { family: 6, start, end: start | host };
      const addr = v6Text(start, style);
      return { text: prefix === 128 && style & 1 ? addr : `${addr}/${prefix}`, model };
    }),
);

/** A random address, often near the edge of one of the rules. */
function arbAddressNear(rules: ModelRule[]) {
  const near = rules.length
    ? fc
        .record({ i: fc.nat(rules.length - 1), where: fc.integer({ min: 0, max: 4 }), off: u32 })
        .map(({ i, where, off }) => {
          const r = rules[i] as ModelRule;
          const max = r.family === 4 ? 0xffffffffn : (1n << 128n) - 1n;
          const size = r.end - r.start + 1n;
          const candidates = [r.start, r.end, r.start - 1n, r.end + 1n, r.start + (off % size)];
          const v = candidates[where] as bigint;
          return { family: r.family, value: v < 0n ? 0n : v > max ? max : v };
        })
    : fc.constant({ family: 4 as Fam, value: 0n });
  const random = fc.oneof(
    u32.map((value) => ({ family: 4 as Fam, value })),
    u128.map((value) => ({ family: 6 as Fam, value })),
  );
  return fc
    .record({ a: fc.oneof(near, random), mapped: fc.boolean(), style: fc.nat(15) })
    .map(({ a, mapped, style }) => {
      const text =
        a.family === 4
          ? mapped
            ? `::ffff:${v4Text(a.value)}`
            : v4Text(a.value)
          : v6Text(a.value, style);
      return {
        text,
        model:
          a.family === 4 && mapped
            ? modelAddress(6, MAPPED_PREFIX | a.value)
            : modelAddress(a.family, a.value),
      };
    });
}

describe('createIpMatcher (property: agrees with a BigInt range model)', () => {
  it('matches exactly the addresses some rule contains, IPv4, IPv6 and mapped', () => {
    fc.assert(
      fc.property(
        fc
          .array(arbRule, { maxLength: 12 })
          .chain((rules) =>
            fc.tuple(
              fc.constant(rules),
              fc.array(arbAddressNear(rules.map((r) => r.model)), { minLength: 1, maxLength: 20 }),
            ),
          ),
        ([rules, addresses]) => {
          const matcher = createIpMatcher(rules.map((r) => r.text));
          expect(matcher.size).toBe(rules.length);
          for (const a of addresses) {
            expect([a.text, matcher.matches(a.text)]).toEqual([
              a.text,
              modelMatches(
                rules.map((r) => r.model),
                a.model,
              ),
            ]);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('accepts every generated rule and normalizes it to a rule of the same meaning', () => {
    fc.assert(
      fc.property(arbRule, arbRule, (a, b) => {
        expect(isValidIpRule(a.text)).toBe(true);
        const normalized = normalizeIpRule(a.text);
        expect(normalizeIpRule(normalized)).toBe(normalized);
        // same set: each covers the other
        expect(ipRulesCover([normalized], [a.text])).toBe(true);
        expect(ipRulesCover([a.text], [normalized])).toBe(true);
        // covering agrees with range inclusion in the model
        const inside =
          a.model.family === b.model.family &&
          a.model.start <= b.model.start &&
          b.model.end <= a.model.end;
        expect(ipRulesCover([a.text], [b.text])).toBe(inside);
      }),
      { numRuns: 1000 },
    );
  });
});

/** ipaddr.js accepts '::ffff:01.2.3.4'; we refuse leading zeros in a dotted IPv4 part. */
function hasLeadingZeroOctet(tail: string): boolean {
  return tail.includes('.') && /(^|\.)0\d/.test(tail);
}

describe('address parsing (property: agrees with ipaddr.js)', () => {
  it('reads every legal IPv6 spelling as ipaddr.js does', () => {
    fc.assert(
      fc.property(u128, fc.nat(15), (value, style) => {
        const text = v6Text(value, style);
        expect(isValidIp(text)).toBe(true);
        const theirs = ipaddr.IPv6.parse(text);
        const rule = normalizeIpRule(text);
        const expected = theirs.isIPv4MappedAddress()
          ? theirs.toIPv4Address().toString()
          : theirs.toRFC5952String();
        expect(rule).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('never accepts what ipaddr.js rejects, and agrees on the value (mutated strings)', () => {
    const chars = fc.constantFrom(...'0123456789abcdefABCDEF:.:.:'.split(''));
    const seed = fc.oneof(
      u128.chain((v) => fc.nat(15).map((s) => v6Text(v, s))),
      u32.map(v4Text),
      fc.constantFrom('::', '::1', '1::', '1::2', 'fe80::1', '::ffff:1.2.3.4', '64:ff9b::1.2.3.4'),
    );
    fc.assert(
      fc.property(seed, fc.nat(60), fc.nat(3), chars, (text, pos, op, ch) => {
        const p = pos % (text.length + 1);
        const mutated =
          op === 0
            ? text.slice(0, p) + ch + text.slice(p)
            : op === 1
              ? text.slice(0, p) + text.slice(p + 1)
              : op === 2
                ? text.slice(0, p) + ch + text.slice(p + 1)
                : text;
        // ipaddr.js reads '::a.b.c.d' (IPv4-compatible, deprecated) as '::ffff:a.b.c.d'; skip its quirk
        fc.pre(!/^::\d+\.\d+\.\d+\.\d+$/.test(mutated));
        const mine = isValidIp(mutated);
        const theirs = mutated.includes(':')
          ? ipaddr.IPv6.isValid(mutated) &&
            !hasLeadingZeroOctet(mutated.slice(mutated.lastIndexOf(':') + 1))
          : ipaddr.IPv4.isValidFourPartDecimal(mutated);
        expect([mutated, mine]).toEqual([mutated, theirs]);
        if (mine) {
          const parsed = ipaddr.parse(mutated);
          const expected =
            parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
              ? (parsed as ipaddr.IPv6).toIPv4Address().toString()
              : parsed.kind() === 'ipv6'
                ? (parsed as ipaddr.IPv6).toRFC5952String()
                : parsed.toString();
          expect(normalizeIpRule(mutated)).toBe(expected);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('isValidIpRule and isValidIp (examples)', () => {
  it.each([
    '0.0.0.0/0',
    '10.0.0.0/8',
    '192.168.1.1',
    '192.168.1.1/32',
    '255.255.255.255',
    '::',
    '::/0',
    '::1',
    '::1/128',
    '2001:db8::/32',
    '2001:DB8::/32',
    '2001:0DB8:0000:0000:0000:0000:0000:0001',
    'fe80::/10',
    '::ffff:1.2.3.4',
    '::ffff:10.0.0.0/104',
    '::ffff:0:0/96',
    '::FFFF:1.2.3.4',
    '1:2:3:4:5:6:1.2.3.4',
  ])('accepts the rule %s', (rule) => {
    expect(isValidIpRule(rule)).toBe(true);
  });

  it.each([
    ['', 'is empty'],
    [' ', 'not a valid'],
    ['10.0.0.1/8', 'host bits set'],
    ['2001:db8::1/32', 'host bits set'],
    ['::ffff:1.2.3.4/95', 'host bits set'],
    ['10.0.0.0/33', 'prefix longer than 32'],
    ['::/129', 'prefix longer than 128'],
    ['10.0.0.0/', 'bad prefix length'],
    ['10.0.0.0/08', 'bad prefix length'],
    ['10.0.0.0/-1', 'bad prefix length'],
    ['10.0.0.0/8/8', 'bad prefix length'],
    ['010.0.0.1', 'not a valid'],
    ['10.00.0.1', 'not a valid'],
    ['1.2.3', 'not a valid'],
    ['1.2.3.4.5', 'not a valid'],
    ['256.0.0.1', 'not a valid'],
    ['0x0a.0.0.1', 'not a valid'],
    ['1.2.3.4 ', 'not a valid'],
    ['fe80::1%eth0', 'zone id'],
    ['fe80::%1/64', 'zone id'],
    [':::', 'not a valid'],
    ['1::2::3', 'not a valid'],
    ['12345::', 'not a valid'],
    ['1:2:3:4:5:6:7:8:9', 'not a valid'],
    ['1:2:3:4:5:6:7:8::', 'not a valid'],
    [':1::', 'not a valid'],
    ['1:', 'not a valid'],
    ['::ffff:01.2.3.4', 'not a valid'],
    ['::g', 'not a valid'],
    ['localhost', 'not a valid'],
    ['x'.repeat(10_000), 'too long'],
  ])('rejects the rule %j (%s)', (rule, problem) => {
    expect(isValidIpRule(rule)).toBe(false);
    expect(ipRuleProblem(rule)).toContain(problem);
  });

  it('names the rule and what is wrong with it', () => {
    expect(ipRuleProblem('10.0.0.1/8')).toBe(
      '"10.0.0.1/8" is not a valid IP address or CIDR (host bits set)',
    );
    expect(ipRuleProblem('10.0.0.0/8')).toBeNull();
  });

  it('refuses non-strings without throwing', () => {
    expect(isValidIpRule(undefined as unknown as string)).toBe(false);
    expect(isValidIp(42 as unknown as string)).toBe(false);
  });

  it('accepts addresses but not CIDRs, zone ids, or garbage as an IP', () => {
    expect(isValidIp('1.2.3.4')).toBe(true);
    expect(isValidIp('::ffff:1.2.3.4')).toBe(true);
    expect(isValidIp('2001:DB8::1')).toBe(true);
    expect(isValidIp('::')).toBe(true);
    for (const bad of [
      '',
      '10.0.0.0/8',
      'fe80::1%eth0',
      '01.2.3.4',
      '1.2.3.4\n',
      '[::1]',
      '::1:',
      'x'.repeat(100_000),
    ]) {
      expect(isValidIp(bad)).toBe(false);
    }
  });
});

describe('normalizeIpRule', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['1.2.3.4/32', '1.2.3.4'],
    ['2001:DB8:0:0::/32', '2001:db8::/32'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001/128', '2001:db8::1'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
    ['::ffff:0:0/96', '0.0.0.0/0'],
    ['::', '::'],
    ['::/0', '::/0'],
  ])('writes %s as %s', (rule, expected) => {
    expect(normalizeIpRule(rule)).toBe(expected);
  });

  it('throws on an invalid rule, naming it', () => {
    expect(() => normalizeIpRule('10.0.0.1/8')).toThrow(
      '"10.0.0.1/8" is not a valid IP address or CIDR (host bits set)',
    );
  });
});

describe('createIpMatcher (examples)', () => {
  it('matches nothing when empty, and says so with size 0', () => {
    const m = createIpMatcher([]);
    expect(m.size).toBe(0);
    expect(m.matches('1.2.3.4')).toBe(false);
  });

  it('matches /0 for its own family only', () => {
    const v4 = createIpMatcher(['0.0.0.0/0']);
    expect(v4.matches('255.255.255.255')).toBe(true);
    expect(v4.matches('::ffff:8.8.8.8')).toBe(true);
    expect(v4.matches('::1')).toBe(false);
    const v6 = createIpMatcher(['::/0']);
    expect(v6.matches('::1')).toBe(true);
    expect(v6.matches('2001:db8::1')).toBe(true);
    expect(v6.matches('1.2.3.4')).toBe(false);
    expect(v6.matches('::ffff:1.2.3.4')).toBe(false);
  });

  it('matches /32 and /128 exactly', () => {
    const m = createIpMatcher(['10.1.2.3/32', '2001:db8::7/128']);
    expect(m.matches('10.1.2.3')).toBe(true);
    expect(m.matches('10.1.2.4')).toBe(false);
    expect(m.matches('2001:0DB8:0:0:0:0:0:7')).toBe(true);
    expect(m.matches('2001:db8::8')).toBe(false);
  });

  it('matches a mapped address against an IPv4 rule and a mapped rule against an IPv4 address', () => {
    expect(createIpMatcher(['10.0.0.0/8']).matches('::ffff:10.9.8.7')).toBe(true);
    expect(createIpMatcher(['10.0.0.0/8']).matches('::FFFF:a09:807')).toBe(true);
    expect(createIpMatcher(['::ffff:10.0.0.0/104']).matches('10.9.8.7')).toBe(true);
    expect(createIpMatcher(['::ffff:1.2.3.4']).matches('1.2.3.4')).toBe(true);
    expect(createIpMatcher(['::ffff:1.2.3.4']).matches('1.2.3.5')).toBe(false);
  });

  it('treats the IPv4-compatible ::a.b.c.d as IPv6, not IPv4', () => {
    expect(createIpMatcher(['1.2.3.4']).matches('::1.2.3.4')).toBe(false);
    expect(createIpMatcher(['::102:304']).matches('::1.2.3.4')).toBe(true);
  });

  it('matches compressed and upper-case spellings alike', () => {
    const m = createIpMatcher(['2001:DB8:ABCD::/48']);
    expect(m.matches('2001:db8:abcd:1::1')).toBe(true);
    expect(m.matches('2001:0db8:ABCD:ffff:ffff:ffff:ffff:ffff')).toBe(true);
    expect(m.matches('2001:db8:abce::')).toBe(false);
    expect(createIpMatcher(['::']).matches('0:0:0:0:0:0:0:0')).toBe(true);
  });

  it('never matches an address it cannot read', () => {
    const m = createIpMatcher(['0.0.0.0/0', '::/0']);
    for (const bad of [
      '',
      'garbage',
      '010.0.0.1',
      'fe80::1%eth0',
      '1.2.3.4/32',
      'x'.repeat(100_000),
    ]) {
      expect(m.matches(bad)).toBe(false);
    }
  });

  it('merges overlapping and adjacent rules without changing the answer', () => {
    const m = createIpMatcher([
      '10.0.0.0/9',
      '10.128.0.0/9',
      '10.0.0.0/8',
      '10.255.255.255',
      '11.0.0.0/8',
    ]);
    expect(m.size).toBe(5);
    expect(m.matches('10.127.255.255')).toBe(true);
    expect(m.matches('11.255.255.255')).toBe(true);
    expect(m.matches('12.0.0.0')).toBe(false);
    expect(m.matches('9.255.255.255')).toBe(false);
  });

  it('throws on an invalid rule', () => {
    expect(() => createIpMatcher(['10.0.0.0/8', '10.0.0.1/8'])).toThrow(/host bits set/);
  });
});

describe('ipRulesCover', () => {
  it('treats an empty outer list as any address', () => {
    expect(ipRulesCover([], ['10.0.0.0/8'])).toBe(true);
    expect(ipRulesCover([], [])).toBe(true);
  });

  it('says a restricted list does not cover an empty (unrestricted) one', () => {
    expect(ipRulesCover(['10.0.0.0/8'], [])).toBe(false);
    expect(ipRulesCover(['0.0.0.0/0'], [])).toBe(false);
    expect(ipRulesCover(['0.0.0.0/0', '::/0'], [])).toBe(true);
  });

  it('compares ranges, across several outer rules', () => {
    expect(ipRulesCover(['10.0.0.0/8'], ['10.1.0.0/16', '10.2.3.4'])).toBe(true);
    expect(ipRulesCover(['10.0.0.0/9', '10.128.0.0/9'], ['10.0.0.0/8'])).toBe(true);
    expect(ipRulesCover(['10.0.0.0/16'], ['10.0.0.0/8'])).toBe(false);
    expect(ipRulesCover(['10.0.0.0/8'], ['::ffff:10.0.0.1'])).toBe(true);
    expect(ipRulesCover(['10.0.0.0/8'], ['2001:db8::1'])).toBe(false);
    expect(ipRulesCover(['2001:db8::/32'], ['2001:db8:1::/48'])).toBe(true);
  });
});
