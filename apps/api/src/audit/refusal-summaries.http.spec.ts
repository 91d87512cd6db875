import { generateTokenSecret } from '@tessera/domain';
import { insertToken } from '../testing/fixtures';
import { bearer, createTestApp, type TestApp } from '../testing/test-app';

const ME = '/api/v1/auth/me';
const AUDIT = '/api/v1/audit';
const T0 = Date.parse('2031-03-01T12:00:00Z');

interface Row {
  id: string;
  at: Date;
  last_at: Date | null;
  count: number;
  organization_id: string | null;
  target_id: string | null;
  reason: string | null;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
}

interface AuditItem {
  count: number;
  reason: string | null;
  ip: string | null;
  lastAt: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
}

/**
 * Issue 16 through the real app: a flood of secrets that match nothing costs one row per source
 * network and reason a minute (the first at once), refusals of a real token stay rows of their
 * own up to 60 a minute, and the counts add up to every refusal answered.
 */
describe('refused authentications under a flood', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date(T0), env: { TRUST_PROXY: 'loopback' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const rows = async (where: string, params: unknown[] = []): Promise<Row[]> =>
    (await t.db.query(
      `SELECT id, at, last_at, count, organization_id, target_id, reason, ip, user_agent, details
         FROM audit_events WHERE action = 'auth.denied' AND ${where} ORDER BY seq`,
      params,
    )) as Row[];
  const total = (list: Row[]) => list.reduce((n, r) => n + r.count, 0);
  const from = (ip: string) => ({ 'X-Forwarded-For': ip, 'User-Agent': 'flood-test' });

  it('writes the first refusal of a network at once and the rest of its minute as one counted row', async () => {
    const secrets: string[] = [];
    for (let i = 1; i <= 30; i++) {
      const secret = generateTokenSecret();
      secrets.push(secret);
      await t.http.get(ME).set(bearer(secret)).set(from(`203.0.113.${i}`)).expect(401);
      await t.http.get(ME).set(bearer(generateTokenSecret())).set(from(`2001:db8:7:${i}::1`)).expect(401);
    }
    for (let i = 1; i <= 4; i++) await t.http.get(ME).set(bearer(`tsr_not-a-token-${i}`)).set(from('203.0.113.200')).expect(401);
    for (let i = 1; i <= 3; i++) {
      const secret = generateTokenSecret();
      secrets.push(secret);
      await t.http.get(`${ME}?access_token=${secret}`).set(from('203.0.113.201')).expect(400);
    }
    await t.flush();

    // At once: the first of each (network, reason): an admin sees the attack start.
    const early = await rows("(ip LIKE '203.0.113.%' OR ip LIKE '2001:db8:7:%')");
    expect(early.map((r) => [r.ip, r.reason, r.count])).toEqual([
      ['203.0.113.1', 'unknown', 1],
      ['2001:db8:7:1::1', 'unknown', 1],
      ['203.0.113.200', 'malformed', 1],
      ['203.0.113.201', 'query_token', 1],
    ]);

    // The minute ends: one summary row per (network, reason) with the count, first and last time.
    t.setNow(new Date(T0 + 60_000));
    await t.flush();
    const summaries = await rows("details->>'summary' = 'network'");
    expect(summaries.map((r) => [r.ip, r.reason, r.count])).toEqual(
      expect.arrayContaining([
        ['203.0.113.0/24', 'unknown', 29],
        ['2001:db8:7::/48', 'unknown', 29],
        ['203.0.113.0/24', 'malformed', 3],
        ['203.0.113.0/24', 'query_token', 2],
      ]),
    );
    expect(summaries).toHaveLength(4);
    const v4 = summaries.find((r) => r.ip === '203.0.113.0/24' && r.reason === 'unknown') as Row;
    expect(v4).toMatchObject({ organization_id: null, target_id: null, user_agent: null });
    expect(v4.at).toEqual(new Date(T0));
    expect(v4.last_at).toEqual(new Date(T0));
    expect(v4.details).toMatchObject({ network: '203.0.113.0/24', reasons: { unknown: 29 }, userAgents: ['flood-test'] });
    expect(v4.details['hints']).toHaveLength(5);
    expect(v4.details['ips']).toEqual(['203.0.113.2', '203.0.113.3', '203.0.113.4', '203.0.113.5', '203.0.113.6']);

    // Every refusal counted once, no secret stored.
    expect(total([...early, ...summaries])).toBe(30 + 30 + 4 + 3);
    const stored = JSON.stringify(await rows('true'));
    for (const secret of secrets) {
      expect(stored).not.toContain(secret);
      expect(stored).not.toContain(secret.slice(4, 20));
    }
  });

  it('shows the counts to the root organization only (GET /audit)', async () => {
    const root = await t.http.get(`${AUDIT}?action=auth.denied&pageSize=100`).set(bearer(t.admin.token)).expect(200);
    const items = root.body.items as AuditItem[];
    const summary = items.find((e) => e.ip === '2001:db8:7::/48') as AuditItem;
    expect(summary).toMatchObject({ count: 29, reason: 'unknown', details: { summary: 'network' } });
    expect(summary.lastAt).toBe(new Date(T0).toISOString());

    const other = await t.createOrg();
    const theirs = await t.http.get(`${AUDIT}?action=auth.denied&pageSize=100`).set(bearer(other.token)).expect(200);
    expect(theirs.body.items).toEqual([]);
  });

  it('keeps refusals of a real token individual up to 60 a minute in a flood, with a count row beyond, in its organization', async () => {
    const start = T0 + 10 * 60_000;
    t.setNow(new Date(start));
    const org = await t.createOrg();
    const revoked = await insertToken(t, { organizationId: org.organizationId, revokedAt: new Date(start - 1000), validTo: new Date(start - 1000) });
    for (let i = 0; i < 100; i++) {
      await t.http.get(ME).set(bearer(generateTokenSecret())).set(from(`198.51.${i}.7`)).expect(401);
      await t.http.get(ME).set(bearer(revoked.secret)).set(from(`198.51.${i}.8`)).expect(401);
    }
    await t.flush();
    const individual = await rows('target_id = $1', [revoked.id]);
    expect(individual).toHaveLength(60);
    expect(individual.every((r) => r.count === 1 && r.reason === 'revoked' && r.organization_id === org.organizationId)).toBe(true);

    t.setNow(new Date(start + 60_000));
    await t.flush();
    const all = await rows('target_id = $1', [revoked.id]);
    const countRow = all.at(-1) as Row;
    expect(all).toHaveLength(61);
    expect(countRow).toMatchObject({ count: 40, reason: 'revoked', organization_id: org.organizationId, ip: null });
    expect(countRow.details).toMatchObject({ summary: 'credential', reasons: { revoked: 40 } });
    expect(total(all)).toBe(100);

    // The organization sees its token's refusals, the count row with its count.
    const page = await t.http.get(`${AUDIT}?target=${revoked.id}&pageSize=100`).set(bearer(org.token)).expect(200);
    const items = page.body.items as AuditItem[];
    expect(items.reduce((n, e) => n + e.count, 0)).toBe(100);
    expect(items.filter((e) => e.count > 1).map((e) => e.count)).toEqual([40]);
    // The flood of unknown secrets: 100 networks, each written once (its first refusal).
    expect(total(await rows("ip LIKE '198.51.%' AND target_id IS NULL"))).toBe(100);
  });
});
