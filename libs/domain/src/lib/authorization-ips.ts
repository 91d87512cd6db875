import * as ipaddr from 'ipaddr.js';
import { normalizeIpRule } from './ip';

/**
 * The addresses a principal's IP rules let through, as exact range sets, so that "the target
 * reaches no address the caller cannot" is decided on addresses, not on how the lists are written:
 * reachable = (allowed, or every address when allowed is empty) minus blocked.
 * Rules go through the one strict parser (`normalizeIpRule`); the canonical text it returns is
 * then unambiguous for ipaddr.js to turn into a range.
 */

type Range = [bigint, bigint];
interface Reach {
  v4: Range[];
  v6: Range[];
  /** an address that does not parse: decideAccess lets it through only when no IP rule exists */
  unparseable: boolean;
}

const ALL_V4: Range = [0n, 0xffffffffn];
const ALL_V6: Range = [0n, (1n << 128n) - 1n];

interface ParsedRange {
  family: 4 | 6;
  range: Range;
  text: string;
}

function toBigInt(bytes: number[]): bigint {
  return bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

function parseRange(rule: string): ParsedRange {
  const text = normalizeIpRule(rule);
  const withPrefix = text.includes('/') ? text : `${text}/${text.includes(':') ? 128 : 32}`;
  const [addr, prefix] = ipaddr.parseCIDR(withPrefix);
  const family = addr.kind() === 'ipv4' ? 4 : 6;
  const bits = family === 4 ? 32 : 128;
  const start = toBigInt(addr.toByteArray());
  const host = (1n << BigInt(bits - prefix)) - 1n;
  return { family, range: [start, start | host], text };
}

function merge(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Range[] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1] + 1n) {
      if (e > last[1]) last[1] = e;
    } else out.push([s, e]);
  }
  return out;
}

/** a \ b, both merged and sorted. */
function subtract(a: Range[], b: Range[]): Range[] {
  const out: Range[] = [];
  for (const [s0, e] of a) {
    let s = s0;
    for (const [bs, be] of b) {
      if (be < s || bs > e) continue;
      if (bs > s) out.push([s, bs - 1n]);
      s = be + 1n;
      if (s > e) break;
    }
    if (s <= e) out.push([s, e]);
  }
  return out;
}

function reach(allowed: readonly string[], blocked: readonly string[]): Reach {
  const a = allowed.map(parseRange);
  const b = blocked.map(parseRange);
  const fam = (list: ParsedRange[], f: 4 | 6) => merge(list.filter((r) => r.family === f).map((r) => [...r.range] as Range));
  const allowV4 = a.length === 0 ? [ALL_V4] : fam(a, 4);
  const allowV6 = a.length === 0 ? [ALL_V6] : fam(a, 6);
  return {
    v4: subtract(allowV4, fam(b, 4)),
    v6: subtract(allowV6, fam(b, 6)),
    unparseable: a.length === 0 && b.length === 0,
  };
}

function format(family: 4 | 6, value: bigint): string {
  if (family === 4) {
    const v = Number(value);
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  const parts: number[] = [];
  for (let i = 7; i >= 0; i--) parts.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  return new ipaddr.IPv6(parts).toRFC5952String();
}

export interface IpWidening {
  field: 'allowedIps' | 'blockedIps';
  message: string;
}

/**
 * Why the target's IP rules reach an address the caller's do not (null when they reach none).
 * The first such address decides the field: one the caller blocks → `blockedIps`, else `allowedIps`.
 */
export function ipWidening(
  caller: { allowedIps: readonly string[]; blockedIps: readonly string[] },
  target: { allowedIps: readonly string[]; blockedIps: readonly string[] },
): IpWidening | null {
  const c = reach(caller.allowedIps, caller.blockedIps);
  const t = reach(target.allowedIps, target.blockedIps);
  for (const family of [4, 6] as const) {
    const gap = subtract(family === 4 ? t.v4 : t.v6, family === 4 ? c.v4 : c.v6)[0];
    if (!gap) continue;
    const address = format(family, gap[0]);
    const blocker = caller.blockedIps.map(parseRange).find((r) => r.family === family && r.range[0] <= gap[0] && gap[0] <= r.range[1]);
    if (blocker) {
      return { field: 'blockedIps', message: `would no longer block ${blocker.text}, which the caller is blocked from` };
    }
    const where = target.allowedIps.length === 0 ? 'allows any address' : `allows ${address}`;
    return { field: 'allowedIps', message: `${where}, outside the caller's allowed IPs (${caller.allowedIps.join(', ')})` };
  }
  if (t.unparseable && !c.unparseable) {
    // Only reachable when the caller's lists cover every address yet exist (e.g. allowedIps 0.0.0.0/0, ::/0).
    return { field: 'allowedIps', message: `allows any address, the caller is held to its IP rules` };
  }
  return null;
}
