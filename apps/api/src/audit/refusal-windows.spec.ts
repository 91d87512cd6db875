import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import type { AuditRow } from './pending-audit-rows';
import {
  CREDENTIAL_POLICY,
  credentialRoute,
  NETWORK_POLICY,
  networkRoute,
  RefusalWindows,
  sourceNetwork,
  type WindowPolicy,
} from './refusal-windows';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const ORG = '00000000-0000-4000-8000-0000000000a1';
const TOKEN = '00000000-0000-4000-8000-0000000000b1';

function anonymous(at: number, ip: string, reason = 'unknown', hint: string | null = 'tsr_AbCd…wxYz'): AuditRow {
  return {
    id: randomUUID(),
    at: new Date(at),
    count: 1,
    organizationId: null,
    action: 'auth.denied',
    outcome: 'failure',
    reason,
    ip,
    userAgent: 'flood/1.0',
    details: hint ? { method: 'GET', path: '/api/v1/auth/me', hint } : { method: 'GET', path: '/api/v1/auth/me' },
  };
}

function ofToken(at: number, tokenId = TOKEN, reason = 'revoked', ip = '198.51.100.7'): AuditRow {
  return {
    id: randomUUID(),
    at: new Date(at),
    count: 1,
    organizationId: ORG,
    actorKind: 'token',
    actorId: tokenId,
    actorName: 'ci deploy',
    action: 'auth.denied',
    targetType: 'token',
    targetId: tokenId,
    targetName: 'ci deploy',
    outcome: 'failure',
    reason,
    ip,
    userAgent: 'curl/8',
    details: { hint: 'tsr_QrSt…9876' },
  };
}

/** Feeds rows in order, calling due() as a 1 s flush timer would; returns everything written. */
function run(windows: RefusalWindows, rows: AuditRow[], flushEveryMs = 1_000): AuditRow[] {
  const written: AuditRow[] = [];
  let nextFlush = (rows[0]?.at.getTime() ?? T0) + flushEveryMs;
  for (const row of rows) {
    while (row.at.getTime() >= nextFlush) {
      written.push(...windows.due(new Date(nextFlush)));
      nextFlush += flushEveryMs;
    }
    const now = windows.admit(row);
    if (now) written.push(now);
  }
  written.push(...windows.drain());
  return written;
}

describe('sourceNetwork', () => {
  it('is the /24 of an IPv4 address and the /48 of an IPv6 one; mapped IPv6 is its IPv4 network', () => {
    expect(sourceNetwork('203.0.113.77')).toBe('203.0.113.0/24');
    expect(sourceNetwork('::ffff:203.0.113.77')).toBe('203.0.113.0/24');
    expect(sourceNetwork('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1::/48');
    expect(sourceNetwork('2001:db8:1:ffff::1')).toBe('2001:db8:1::/48');
    expect(sourceNetwork('fe80::1%eth0')).toBe('fe80::/48');
    expect(sourceNetwork('not an address')).toBeNull();
    expect(sourceNetwork('0x7f.1')).toBeNull();
    expect(sourceNetwork(null)).toBeNull();
  });

  it('contains the address, as ipaddr.js matches CIDRs (property)', () => {
    const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
    const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((p) => new ipaddr.IPv6(p).toString());
    fc.assert(
      fc.property(fc.oneof(v4, v6), (ip) => {
        const network = sourceNetwork(ip) as string;
        const [base, bits] = ipaddr.parseCIDR(network);
        expect(bits).toBe(ip.includes(':') ? 48 : 24);
        expect(ipaddr.parse(ip).match([base, bits])).toBe(true);
      }),
    );
  });
});

describe('secrets that match nothing: one summary row per (network, reason) a minute', () => {
  it('writes the first refusal of a new network at once and counts the rest into one row at the end of the minute', () => {
    const windows = new RefusalWindows(NETWORK_POLICY, networkRoute);
    const first = anonymous(T0, '203.0.113.7');
    expect(windows.admit(first)).toBe(first);
    for (let i = 1; i < 100; i++) expect(windows.admit(anonymous(T0 + i * 500, `203.0.113.${i}`, 'unknown', `tsr_${i}…`))).toBeNull();
    expect(windows.due(new Date(T0 + 59_999))).toEqual([]);
    const [summary, ...more] = windows.due(new Date(T0 + 60_000));
    expect(more).toEqual([]);
    expect(summary).toMatchObject({
      count: 99,
      at: new Date(T0 + 500),
      lastAt: new Date(T0 + 99 * 500),
      organizationId: null,
      actorId: null,
      targetId: null,
      ip: '203.0.113.0/24',
      userAgent: null,
      reason: 'unknown',
      action: 'auth.denied',
      outcome: 'failure',
      details: {
        summary: 'network',
        network: '203.0.113.0/24',
        reasons: { unknown: 99 },
        hints: ['tsr_1…', 'tsr_2…', 'tsr_3…', 'tsr_4…', 'tsr_5…'],
        ips: ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4', '203.0.113.5'],
        userAgents: ['flood/1.0'],
      },
    });
  });

  it('writes one row a minute while a flood from a network goes on, and the first at once again after a quiet minute', () => {
    const windows = new RefusalWindows(NETWORK_POLICY, networkRoute);
    const rows: AuditRow[] = [];
    for (let s = 0; s < 180; s++) rows.push(anonymous(T0 + s * 1000, '198.51.100.9'), anonymous(T0 + s * 1000 + 500, '198.51.100.10'));
    for (let s = 300; s < 310; s++) rows.push(anonymous(T0 + s * 1000, '198.51.100.11'));
    const out = run(windows, rows);
    expect(out.map((r) => [r.count, (r.at.getTime() - T0) / 1000])).toEqual([
      [1, 0], // the attack starts: at once
      [119, 0.5], // the rest of minute 1
      [120, 60], // minute 2: one row
      [120, 120], // minute 3
      [1, 300], // quiet for two minutes: a new start, at once
      [9, 301], // written at shutdown (drain)
    ]);
  });

  it('keeps reasons apart: a malformed and an unknown secret from one network are two rows', () => {
    const windows = new RefusalWindows(NETWORK_POLICY, networkRoute);
    expect(windows.admit(anonymous(T0, '192.0.2.1', 'malformed', null))).not.toBeNull();
    expect(windows.admit(anonymous(T0 + 1, '192.0.2.1', 'unknown'))).not.toBeNull();
    expect(windows.admit(anonymous(T0 + 2, '192.0.2.2', 'query_token', null))).not.toBeNull();
    expect(windows.admit(anonymous(T0 + 3, '192.0.2.3', 'unknown'))).toBeNull();
  });

  it('cannot be made to grow past its bound by spreading over many networks (attacker)', () => {
    const policy: WindowPolicy = { ...NETWORK_POLICY, maxKeys: 50, maxOverflowKeys: 5 };
    const windows = new RefusalWindows(policy, networkRoute);
    let maxSize = 0;
    let writtenNow = 0;
    for (let i = 0; i < 20_000; i++) {
      const ip = `${(i * 7919) % 224}.${(i * 31) % 256}.${i % 256}.${i % 200}`;
      if (windows.admit(anonymous(T0 + i * 5, ip, i % 3 === 0 ? 'malformed' : 'unknown'))) writtenNow++;
      maxSize = Math.max(maxSize, windows.size);
    }
    expect(maxSize).toBeLessThanOrEqual(50 + 5 + 2);
    // 100 s of refusals from 20 000 networks: at most maxKeys new networks a minute are written at
    // once, plus one overflow row per reason.
    expect(writtenNow).toBeLessThanOrEqual(2 * (50 + 2));
    const rest = windows.drain();
    const overflow = rest.filter((r) => r.details?.['summary'] === 'overflow');
    expect(overflow.length).toBeGreaterThan(0);
    for (const r of overflow) {
      expect(r.organizationId).toBeNull();
      expect((r.details?.['networks'] as string[]).length).toBeLessThanOrEqual(5);
    }
  });
});

describe('refusals tied to a credential: individual rows, at most 60 a minute per credential, then a count row', () => {
  it('writes the first 60 of a minute as they come and one count row for the rest', () => {
    const windows = new RefusalWindows(CREDENTIAL_POLICY, credentialRoute);
    const rows = Array.from({ length: 200 }, (_, i) => ofToken(T0 + i * 100, TOKEN, i % 2 ? 'revoked' : 'ip_not_allowed'));
    const out = run(windows, rows);
    expect(out.filter((r) => r.count === 1 && r.details?.['summary'] === undefined)).toHaveLength(60);
    const counts = out.filter((r) => r.details?.['summary'] === 'credential');
    expect(counts).toHaveLength(1);
    expect(counts[0]).toMatchObject({
      count: 140,
      organizationId: ORG,
      actorId: TOKEN,
      targetType: 'token',
      targetId: TOKEN,
      targetName: 'ci deploy',
      reason: null,
      ip: '198.51.100.7',
      details: { summary: 'credential', reasons: { ip_not_allowed: 70, revoked: 70 }, hints: ['tsr_QrSt…9876'] },
    });
  });

  it('keeps a real token refusal individual in a flood of unknown secrets (attacker hides nothing)', () => {
    const networks = new RefusalWindows({ ...NETWORK_POLICY, maxKeys: 10, maxOverflowKeys: 2 }, networkRoute);
    const credentials = new RefusalWindows(CREDENTIAL_POLICY, credentialRoute);
    const individual: AuditRow[] = [];
    for (let i = 0; i < 5_000; i++) {
      const t = T0 + i * 10;
      networks.admit(anonymous(t, `10.${i % 256}.${(i >> 8) % 256}.1`));
      if (i % 100 === 0) {
        const row = ofToken(t, TOKEN, 'revoked');
        if (credentials.admit(row)) individual.push(row);
      }
    }
    expect(individual).toHaveLength(50);
  });

  it('caps each credential on its own, and bounds the credentials it tracks', () => {
    const policy: WindowPolicy = { ...CREDENTIAL_POLICY, firstAllowance: 3, continuingAllowance: 3, maxKeys: 4, maxOverflowKeys: 2 };
    const windows = new RefusalWindows(policy, credentialRoute);
    const tokens = Array.from({ length: 10 }, (_, i) => `00000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`);
    let individual = 0;
    for (let i = 0; i < 100; i++) if (windows.admit(ofToken(T0 + i, tokens[i % 10]))) individual++;
    expect(windows.size).toBeLessThanOrEqual(4 + 2 + 1);
    // 4 tracked tokens × 3 rows, then the others share their organization's overflow key: 3 more.
    expect(individual).toBe(4 * 3 + 3);
    const rest = windows.drain();
    expect(rest.reduce((n, r) => n + r.count, 0) + individual).toBe(100);
    for (const r of rest) expect(r.organizationId).toBe(ORG);
  });
});

describe('every refusal is counted exactly once (properties)', () => {
  const refusal = fc.record({
    gapMs: fc.integer({ min: 0, max: 40_000 }),
    network: fc.integer({ min: 0, max: 30 }),
    host: fc.integer({ min: 1, max: 254 }),
    reason: fc.constantFrom('unknown', 'malformed', 'revoked', 'expired'),
    token: fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }),
  });
  const policies = fc.record({
    windowMs: fc.constantFrom(1_000, 10_000, 60_000),
    firstAllowance: fc.integer({ min: 0, max: 5 }),
    continuingAllowance: fc.integer({ min: 0, max: 5 }),
    maxKeys: fc.integer({ min: 1, max: 8 }),
    maxOverflowKeys: fc.integer({ min: 0, max: 3 }),
  });

  function rowsOf(list: { gapMs: number; network: number; host: number; reason: string; token: number | null }[]): AuditRow[] {
    let t = T0;
    return list.map((e) => {
      t += e.gapMs;
      const ip = `10.0.${e.network}.${e.host}`;
      if (e.token === null) return anonymous(t, ip, e.reason);
      return ofToken(t, `00000000-0000-4000-8000-0000000000${String(e.token).padStart(2, '0')}`, e.reason, ip);
    });
  }

  it('the counts of the rows written add up to the refusals, each row once, memory within its bound', () => {
    fc.assert(
      fc.property(fc.array(refusal, { maxLength: 400 }), policies, fc.constantFrom(50, 1_000, 7_000), (list, policy, flushEvery) => {
        const rows = rowsOf(list);
        const networks = new RefusalWindows(policy, networkRoute);
        const credentials = new RefusalWindows(policy, credentialRoute);
        const out: AuditRow[] = [];
        let nextFlush = T0 + flushEvery;
        for (const row of rows) {
          while (row.at.getTime() >= nextFlush) {
            out.push(...networks.due(new Date(nextFlush)), ...credentials.due(new Date(nextFlush)));
            nextFlush += flushEvery;
          }
          const windows = row.organizationId ? credentials : networks;
          const now = windows.admit(row);
          if (now) out.push(now);
          // keys: maxKeys + overflow keys + one catch-all per (action, reason) (4 reasons here)
          expect(networks.size).toBeLessThanOrEqual(policy.maxKeys + policy.maxOverflowKeys + 4);
          expect(credentials.size).toBeLessThanOrEqual(policy.maxKeys + policy.maxOverflowKeys + 1);
        }
        out.push(...networks.drain(), ...credentials.drain());
        expect(out.reduce((n, r) => n + r.count, 0)).toBe(rows.length);
        expect(new Set(out.map((r) => r.id)).size).toBe(out.length);
        for (const r of out) {
          expect(r.count).toBeGreaterThanOrEqual(1);
          if (r.count > 1) expect(r.lastAt?.getTime()).toBeGreaterThanOrEqual(r.at.getTime());
          // A summary never gives an anonymous refusal an organization, nor a credential's to another.
          if (r.organizationId) expect(r.organizationId).toBe(ORG);
        }
        const anonymousEvents = out.filter((r) => r.organizationId === null).reduce((n, r) => n + r.count, 0);
        expect(anonymousEvents).toBeGreaterThanOrEqual(rows.filter((r) => !r.organizationId).length);
      }),
    );
  });

  it('writes at most the allowance of a key individually in any one of its windows (network keys)', () => {
    fc.assert(
      fc.property(fc.array(refusal, { maxLength: 300 }), (list) => {
        const rows = rowsOf(list.map((e) => ({ ...e, token: null, gapMs: e.gapMs % 3_000 })));
        const windows = new RefusalWindows(NETWORK_POLICY, networkRoute);
        const individual = rows.filter((r) => windows.admit(r) !== null);
        // Per (network, reason): individual rows at least 60 s apart (one per window, only after a quiet one).
        const byKey = new Map<string, number[]>();
        for (const r of individual) {
          const key = `${sourceNetwork(r.ip)}|${r.reason}`;
          byKey.set(key, [...(byKey.get(key) ?? []), r.at.getTime()]);
        }
        for (const times of byKey.values()) times.slice(1).forEach((time, i) => expect(time - (times[i] as number)).toBeGreaterThanOrEqual(60_000));
        // And the first refusal of every (network, reason) is one of them.
        const firsts = new Map<string, string>();
        for (const r of rows) {
          const key = `${sourceNetwork(r.ip)}|${r.reason}`;
          if (!firsts.has(key)) firsts.set(key, r.id);
        }
        const ids = new Set(individual.map((r) => r.id));
        for (const id of firsts.values()) expect(ids.has(id)).toBe(true);
      }),
    );
  });
});
