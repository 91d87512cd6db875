import { type CreatedTokenDto, generateTokenSecret } from '@tessera/domain';
import { createInstanceGroup, eventually, type Instance, type InstanceGroup } from '../credentials/testing/instances';

describe('usage data and refused-authentication audit rows are written in batches', () => {
  let group: InstanceGroup;
  let api: Instance;
  let admin: string;

  beforeEach(async () => {
    // Flush once a second (the production default): what the test sees before close() is batched.
    group = await createInstanceGroup(1, { FLUSH_INTERVAL_MS: '1000' });
    api = group.instances[0] as Instance;
    admin = (await api.login(group.admin.email, group.admin.password)).token;
  });

  afterEach(async () => {
    await group?.close();
  });

  it('loses no use of a token and no refused authentication on a clean stop', async () => {
    const { token, secret } = (await api.as(admin).post('/tokens', { name: 'counted', scopes: ['tokens:read'] }).expect(201))
      .body as CreatedTokenDto;
    const unknown = generateTokenSecret('tsr'); // well formed, matches no token
    const [before] = await group.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'auth.denied'`);
    const deniedBefore = before?.n ?? 0;

    await Promise.all(Array.from({ length: 25 }, () => api.as(secret).get('/auth/me').expect(200)));
    await Promise.all(Array.from({ length: 7 }, () => api.as(unknown).get('/auth/me').expect(401)));
    await api.close(); // what SIGTERM does in main.ts

    const [row] = await group.query<{ use_count: string; last_used_at: Date | null; last_used_ip: string | null }>(
      'SELECT use_count, last_used_at, last_used_ip FROM tokens WHERE id = $1',
      [token.id],
    );
    expect(Number(row?.use_count)).toBe(25);
    expect(row?.last_used_at).not.toBeNull();
    expect(row?.last_used_ip).toBe('127.0.0.1');
    const denied = await group.query<{ reason: string; count: number; details: Record<string, unknown> }>(
      `SELECT reason, count, details FROM audit_events WHERE action = 'auth.denied' ORDER BY seq OFFSET $1`,
      [deniedBefore],
    );
    // The first refusal from the network at once, the other 6 in its summary row, written at the stop.
    expect(denied.map((d) => d.count)).toEqual([1, 6]);
    expect(denied[1]?.details).toMatchObject({ summary: 'network', network: '127.0.0.0/24' });
    expect(denied.every((d) => d.reason === 'unknown')).toBe(true);
    expect(JSON.stringify(denied)).not.toContain(unknown);
  });

  it('writes usage within about a second while running, without a write per request', async () => {
    const { token, secret } = (await api.as(admin).post('/tokens', { name: 'live', scopes: ['tokens:read'] }).expect(201))
      .body as CreatedTokenDto;
    for (let i = 0; i < 3; i++) await api.as(secret).get('/auth/me').expect(200);
    await eventually(
      'use_count reaches 3',
      async () => {
        const [row] = await group.query<{ use_count: string }>('SELECT use_count FROM tokens WHERE id = $1', [token.id]);
        return Number(row?.use_count) === 3;
      },
      3_000,
    );
  });
});
