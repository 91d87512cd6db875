import * as ipaddr from 'ipaddr.js';

/**
 * IP addresses and rules.
 *
 * One strict parser is used for rules and for addresses, so a rule and an
 * address written the same way always mean the same thing:
 * - IPv4 only as four decimal octets, no leading zeros (`010.0.0.1` is
 *   ambiguous: octal in some tools, decimal in others), no short forms.
 * - IPv6 as RFC 4291 text (upper or lower case, `::` compression, a trailing
 *   dotted IPv4), no zone ids (`fe80::1%eth0`).
 * - An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) IS the IPv4 address, in
 *   rules and in addresses. IPv6 rules never match IPv4 addresses otherwise.
 * - A CIDR with host bits set (`10.0.0.1/8`) is invalid, never masked.
 * ipaddr.js formats IPv6 canonically (RFC 5952) and serves as the tests' model.
 */

/** Longer strings are never addresses or rules (the longest valid rule has 49 characters). */
export const IP_TEXT_MAX_LENGTH = 64;

const FAMILY_INVALID = 0;
const FAMILY_V4 = 4;
const FAMILY_V6 = 6;
type Family = typeof FAMILY_INVALID | typeof FAMILY_V4 | typeof FAMILY_V6;

/** Parses dotted-quad IPv4 in text[start, end); returns the uint32 value or -1. */
function parseV4(text: string, start: number, end: number): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      dots++;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1; // leading zero
      octet = octet * 10 + (c - 48);
      if (octet > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  if (digits === 0 || dots !== 3) return -1;
  return value * 256 + octet;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Parses IPv6 in text[start, end) into 8 16-bit groups. Returns false when it
 * is not RFC 4291 text (zone ids are not).
 */
function parseV6(text: string, start: number, end: number, groups: Uint16Array): boolean {
  if (end - start < 2) return false;
  let count = 0; // groups written so far
  let gap = -1; // index in groups where '::' sits
  let i = start;
  if (text.charCodeAt(i) === 58 /* : */) {
    if (text.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
    if (i === end) {
      groups.fill(0);
      return true;
    }
  }
  for (;;) {
    // one group (or a trailing dotted IPv4) starting at i
    let value = 0;
    let digits = 0;
    let j = i;
    for (; j < end; j++) {
      const h = hexValue(text.charCodeAt(j));
      if (h < 0) break;
      value = value * 16 + h;
      digits++;
    }
    if (j < end && text.charCodeAt(j) === 46 /* . */) {
      // trailing IPv4: must be last, and needs room for two groups
      if (count > 6) return false;
      const v4 = parseV4(text, i, end);
      if (v4 < 0) return false;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      break;
    }
    if (digits === 0 || digits > 4 || count === 8) return false;
    groups[count++] = value;
    if (j === end) break;
    if (text.charCodeAt(j) !== 58) return false;
    j++;
    if (j < end && text.charCodeAt(j) === 58) {
      if (gap >= 0) return false;
      gap = count;
      j++;
      if (j === end) break;
    } else if (j === end) {
      return false; // trailing single ':'
    }
    i = j;
  }
  if (gap < 0) return count === 8;
  if (count > 7) return false;
  const missing = 8 - count;
  for (let k = count - 1; k >= gap; k--) groups[k + missing] = groups[k] as number;
  for (let k = gap; k < gap + missing; k++) groups[k] = 0;
  return true;
}

const scratchGroups = new Uint16Array(8);

/**
 * Parses an address into `out`: IPv4 (also IPv4-mapped IPv6) as out[0], IPv6 as
 * four big-endian 32-bit words. Returns the family or 0 when invalid.
 */
function parseAddress(text: string, start: number, end: number, out: Uint32Array): Family {
  if (end - start > 45 || end <= start) return FAMILY_INVALID;
  // Dotted IPv4 first (the common case, one pass); anything else may be IPv6.
  const v4 = parseV4(text, start, end);
  if (v4 >= 0) {
    out[0] = v4;
    return FAMILY_V4;
  }
  const g = scratchGroups;
  if (!parseV6(text, start, end, g)) return FAMILY_INVALID;
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    out[0] = (((g[6] as number) << 16) | (g[7] as number)) >>> 0;
    return FAMILY_V4;
  }
  out[0] = (((g[0] as number) << 16) | (g[1] as number)) >>> 0;
  out[1] = (((g[2] as number) << 16) | (g[3] as number)) >>> 0;
  out[2] = (((g[4] as number) << 16) | (g[5] as number)) >>> 0;
  out[3] = (((g[6] as number) << 16) | (g[7] as number)) >>> 0;
  return FAMILY_V6;
}

/** A parsed rule: an inclusive range of one family. */
interface ParsedRule {
  family: 4 | 6;
  /** IPv4: value in [0, 2^32); IPv6: value in [0, 2^128) */
  start: bigint;
  end: bigint;
  prefix: number;
  /** true when the text had an explicit prefix length */
  cidr: boolean;
}

type RuleResult = { ok: true; rule: ParsedRule } | { ok: false; problem: string };

const ruleWords = new Uint32Array(4);

function parseRule(rule: string): RuleResult {
  if (typeof rule !== 'string' || rule.length === 0) return { ok: false, problem: 'is empty' };
  if (rule.length > IP_TEXT_MAX_LENGTH) return { ok: false, problem: 'is too long' };
  if (rule.includes('%')) return { ok: false, problem: 'has a zone id, which is not allowed' };
  const slash = rule.indexOf('/');
  const addrEnd = slash < 0 ? rule.length : slash;
  const family = parseAddress(rule, 0, addrEnd, ruleWords);
  if (family === FAMILY_INVALID) return { ok: false, problem: 'is not a valid IP address or CIDR' };
  const mapped = family === FAMILY_V4 && rule.lastIndexOf(':', addrEnd) >= 0;
  const bits = family === FAMILY_V4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const text = rule.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(text)) {
      return { ok: false, problem: 'is not a valid IP address or CIDR (bad prefix length)' };
    }
    prefix = Number(text);
    if (mapped) {
      // '::ffff:10.0.0.0/104' is 10.0.0.0/8; a shorter prefix leaves the ffff bits as host bits
      if (prefix > 128)
        return { ok: false, problem: 'is not a valid IP address or CIDR (prefix longer than 128)' };
      if (prefix < 96)
        return { ok: false, problem: 'is not a valid IP address or CIDR (host bits set)' };
      prefix -= 96;
    } else if (prefix > bits) {
      return {
        ok: false,
        problem: `is not a valid IP address or CIDR (prefix longer than ${bits})`,
      };
    }
  }
  const value =
    family === FAMILY_V4
      ? BigInt(ruleWords[0] as number)
      : (BigInt(ruleWords[0] as number) << 96n) |
        (BigInt(ruleWords[1] as number) << 64n) |
        (BigInt(ruleWords[2] as number) << 32n) |
        BigInt(ruleWords[3] as number);
  const width = BigInt(family === FAMILY_V4 ? 32 : 128);
  const hostMask = (1n << (width - BigInt(prefix))) - 1n;
  if ((value & hostMask) !== 0n) {
    return { ok: false, problem: 'is not a valid IP address or CIDR (host bits set)' };
  }
  return {
    ok: true,
    rule: { family, start: value, end: value | hostMask, prefix, cidr: slash >= 0 },
  };
}

const validityWords = new Uint32Array(4);

/** An IPv4 or IPv6 address (no prefix, no zone id). */
export function isValidIp(ip: string): boolean {
  return typeof ip === 'string' && parseAddress(ip, 0, ip.length, validityWords) !== FAMILY_INVALID;
}

/** An IPv4 or IPv6 address or CIDR. Host bits set and zone ids are invalid. */
export function isValidIpRule(rule: string): boolean {
  return parseRule(rule).ok;
}

/**
 * Why a rule is invalid, as a sentence naming it
 * (`"10.0.0.1/8" is not a valid IP address or CIDR (host bits set)`), or null when valid.
 */
export function ipRuleProblem(rule: string): string | null {
  const r = parseRule(rule);
  if (r.ok) return null;
  const shown =
    typeof rule === 'string' && rule.length <= IP_TEXT_MAX_LENGTH
      ? JSON.stringify(rule)
      : 'The value';
  return `${shown} ${r.problem}`;
}

function formatV4(value: bigint): string {
  const v = Number(value);
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

function formatV6(value: bigint): string {
  const parts: number[] = [];
  for (let i = 7; i >= 0; i--) parts.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  return new ipaddr.IPv6(parts).toRFC5952String();
}

/**
 * Canonical text of a rule: lower-case RFC 5952 IPv6, mapped IPv6 as IPv4, a
 * single address without `/32` or `/128`. Throws on an invalid rule.
 */
export function normalizeIpRule(rule: string): string {
  const r = parseRule(rule);
  if (!r.ok)
    throw new Error(`${JSON.stringify(String(rule).slice(0, IP_TEXT_MAX_LENGTH))} ${r.problem}`);
  const { family, start, prefix } = r.rule;
  const text = family === FAMILY_V4 ? formatV4(start) : formatV6(start);
  return prefix === (family === FAMILY_V4 ? 32 : 128) ? text : `${text}/${prefix}`;
}

export interface IpMatcher {
  matches(ip: string): boolean;
  readonly size: number;
}

/** Sorts and merges inclusive ranges (overlapping or adjacent ones become one). */
function mergeRanges(ranges: [bigint, bigint][]): [bigint, bigint][] {
  ranges.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [s, e] of ranges) {
    const last = out[out.length - 1];
    if (last && s <= last[1] + 1n) {
      if (e > last[1]) last[1] = e;
    } else {
      out.push([s, e]);
    }
  }
  return out;
}

const lookupWords = new Uint32Array(4);

class RangeIpMatcher implements IpMatcher {
  readonly size: number;
  /** merged IPv4 ranges, sorted: v4Start[i]..v4End[i] inclusive */
  private readonly v4Start: Uint32Array;
  private readonly v4End: Uint32Array;
  /** merged IPv6 ranges, sorted: 4 words per range, big-endian */
  private readonly v6Start: Uint32Array;
  private readonly v6End: Uint32Array;
  private readonly v6Count: number;

  constructor(rules: readonly string[]) {
    const v4: [bigint, bigint][] = [];
    const v6: [bigint, bigint][] = [];
    for (const text of rules) {
      const r = parseRule(text);
      if (!r.ok)
        throw new Error(
          `${JSON.stringify(String(text).slice(0, IP_TEXT_MAX_LENGTH))} ${r.problem}`,
        );
      (r.rule.family === FAMILY_V4 ? v4 : v6).push([r.rule.start, r.rule.end]);
    }
    this.size = rules.length;
    const m4 = mergeRanges(v4);
    this.v4Start = Uint32Array.from(m4, (r) => Number(r[0]));
    this.v4End = Uint32Array.from(m4, (r) => Number(r[1]));
    const m6 = mergeRanges(v6);
    this.v6Count = m6.length;
    this.v6Start = new Uint32Array(m6.length * 4);
    this.v6End = new Uint32Array(m6.length * 4);
    m6.forEach(([s, e], i) => {
      for (let w = 0; w < 4; w++) {
        const shift = BigInt(96 - 32 * w);
        this.v6Start[i * 4 + w] = Number((s >> shift) & 0xffffffffn);
        this.v6End[i * 4 + w] = Number((e >> shift) & 0xffffffffn);
      }
    });
  }

  /** Merged ranges of each family, for covering checks. */
  ranges(): { v4: [bigint, bigint][]; v6: [bigint, bigint][] } {
    const v4: [bigint, bigint][] = [];
    for (let i = 0; i < this.v4Start.length; i++) {
      v4.push([BigInt(this.v4Start[i] as number), BigInt(this.v4End[i] as number)]);
    }
    const v6: [bigint, bigint][] = [];
    const big = (a: Uint32Array, i: number): bigint =>
      (BigInt(a[i] as number) << 96n) |
      (BigInt(a[i + 1] as number) << 64n) |
      (BigInt(a[i + 2] as number) << 32n) |
      BigInt(a[i + 3] as number);
    for (let i = 0; i < this.v6Count; i++)
      v6.push([big(this.v6Start, i * 4), big(this.v6End, i * 4)]);
    return { v4, v6 };
  }

  matches(ip: string): boolean {
    if (this.size === 0 || typeof ip !== 'string') return false;
    const w = lookupWords;
    const family = parseAddress(ip, 0, ip.length, w);
    if (family === FAMILY_V4) return this.matchV4(w[0] as number);
    if (family === FAMILY_V6) return this.matchV6(w);
    return false;
  }

  private matchV4(x: number): boolean {
    const starts = this.v4Start;
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((starts[mid] as number) <= x) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found >= 0 && x <= (this.v4End[found] as number);
  }

  private matchV6(w: Uint32Array): boolean {
    const starts = this.v6Start;
    let lo = 0;
    let hi = this.v6Count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compareWords(starts, mid * 4, w) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found >= 0 && compareWords(this.v6End, found * 4, w) >= 0;
  }
}

/** Compares the 128-bit value at a[i..i+3] with w[0..3]. */
function compareWords(a: Uint32Array, i: number, w: Uint32Array): number {
  for (let k = 0; k < 4; k++) {
    const x = a[i + k] as number;
    const y = w[k] as number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Builds a matcher once (sorted, merged ranges per family); each lookup then
 * parses the address once and binary-searches: O(log n). Throws on an invalid rule.
 */
export function createIpMatcher(rules: readonly string[]): IpMatcher {
  return new RangeIpMatcher(rules);
}

const ALL_V4: [bigint, bigint] = [0n, 0xffffffffn];
const ALL_V6: [bigint, bigint] = [0n, (1n << 128n) - 1n];

function rangesInside(inner: [bigint, bigint][], outer: [bigint, bigint][]): boolean {
  // outer is merged: each inner range must sit inside one outer range
  return inner.every(([s, e]) => outer.some(([os, oe]) => os <= s && e <= oe));
}

/**
 * True when every address `inner` allows is allowed by `outer`; an empty list
 * allows any address. Throws on an invalid rule.
 */
export function ipRulesCover(outer: readonly string[], inner: readonly string[]): boolean {
  const o = new RangeIpMatcher(outer);
  const i = new RangeIpMatcher(inner);
  if (o.size === 0) return true;
  const or = o.ranges();
  const ir = i.size === 0 ? { v4: [ALL_V4], v6: [ALL_V6] } : i.ranges();
  return rangesInside(ir.v4, or.v4) && rangesInside(ir.v6, or.v6);
}
