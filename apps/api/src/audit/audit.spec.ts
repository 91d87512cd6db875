import { generateTokenSecret } from '@tessera/domain';
import { insertToken } from '../testing/fixtures';
import { bearer, createTestApp, type TestApp } from '../testing/test-app';
import { AuditService } from './audit.service';

const AUDIT = '/api/v1/audit';

describe('audit', () => {
  let t: TestApp;
  let audit: AuditService;
  beforeAll(async () => {
    t = await createTestApp();
    audit = t.app.get(AuditService);
    const actor = { kind: 'user' as const, id: '00000000-0000-4000-8000-000000000001', name: 'Grace Hopper' };
    const base = { organizationId: t.admin.organizationId, actor, ip: '192.0.2.1', userAgent: 'jest' };
    t.setNow(new Date('2030-01-01T10:00:00Z'));
    await audit.record({ ...base, action: 'token.create', targetType: 'token', targetId: 'a1', targetName: 'ci deploy', outcome: 'success' });
    t.setNow(new Date('2030-01-02T10:00:00Z'));
    await audit.record({ ...base, action: 'token.revoke', targetType: 'token', targetId: 'a1', targetName: 'ci deploy', outcome: 'success' });
    t.setNow(new Date('2030-01-03T10:00:00Z'));
    await audit.record({ ...base, action: 'role.update', targetType: 'role', targetId: 'r1', targetName: 'Auditors', outcome: 'failure', reason: 'conflict' });
    t.setNow(null);
  });
  afterAll(async () => {
    await t?.close();
  });

  const list = (query: string, token = t.admin.token) => t.http.get(`${AUDIT}${query}`).set(bearer(token));

  it('lists events newest first with paging', async () => {
    const res = await list('?pageSize=2&action=token');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 2, page: 1, pageSize: 2 });
    expect(res.body.items.map((e: { action: string }) => e.action)).toEqual(['token.revoke', 'token.create']);
    expect(res.body.items[0]).toMatchObject({
      actor: { kind: 'user', name: 'Grace Hopper' },
      targetType: 'token',
      targetName: 'ci deploy',
      ip: '192.0.2.1',
      userAgent: 'jest',
      outcome: 'success',
      details: {},
    });
    const page2 = await list('?pageSize=1&page=2&action=token');
    expect(page2.body.items.map((e: { action: string }) => e.action)).toEqual(['token.create']);
  });

  it('filters by actor, action, target, outcome and time range', async () => {
    const actions = async (q: string) => ((await list(q)).body.items as { action: string }[]).map((e) => e.action);
    expect(await actions('?actor=hopper&action=token.create')).toEqual(['token.create']);
    expect(await actions('?actor=00000000-0000-4000-8000-000000000001&outcome=failure')).toEqual(['role.update']);
    expect(await actions('?target=auditors')).toEqual(['role.update']);
    expect(await actions('?target=a1')).toEqual(['token.revoke', 'token.create']);
    expect(await actions('?from=2030-01-02T00:00:00Z&to=2030-01-03T00:00:00Z')).toEqual(['token.revoke']);
    expect(await actions('?actor=%25')).toEqual([]);
  });

  it('names bad filters (400)', async () => {
    const res = await list('?outcome=maybe&from=yesterday&pageSize=1000&bogus=1');
    expect(res.status).toBe(400);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['outcome', 'from', 'pageSize']));
  });

  it('needs audit:read', async () => {
    const reader = await insertToken(t, { scopes: ['*:read'] });
    const other = await insertToken(t, { scopes: ['tokens:read'] });
    expect((await list('', reader.secret)).status).toBe(200);
    const res = await list('', other.secret);
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toContain('scope="audit:read"');
  });

  it("shows only the caller's organization (the root also sees refusals tied to none)", async () => {
    const org = await t.createOrg();
    await t.http.get('/api/v1/auth/me').set(bearer(generateTokenSecret()));
    await t.flush();
    const theirs = await list('', org.token);
    expect(theirs.status).toBe(200);
    const theirActions = (theirs.body.items as { action: string }[]).map((e) => e.action);
    expect(theirActions).not.toContain('token.create');
    expect(theirActions).not.toContain('auth.denied');
    const root = (await list('?action=auth.denied')).body.items as { reason: string }[];
    expect(root.map((e) => e.reason)).toContain('unknown');
  });

  // t.db is the app's own connection (the runtime role): refused by privileges; the owner's trigger
  // is tested in database/runtime-role.spec.ts.
  it('is append-only in the database: UPDATE, DELETE and TRUNCATE raise', async () => {
    await expect(t.db.query("UPDATE audit_events SET action = 'x'")).rejects.toThrow(/permission denied/);
    await expect(t.db.query('DELETE FROM audit_events')).rejects.toThrow(/permission denied/);
    await expect(t.db.query('TRUNCATE audit_events')).rejects.toThrow(/permission denied/);
    const [{ n }] = (await t.db.query("SELECT count(*)::int AS n FROM audit_events WHERE action = 'token.create'")) as [{ n: number }];
    expect(n).toBe(1);
  });

  it('rolls the audit row back with the change when the transaction fails', async () => {
    await expect(
      t.db.transaction(async (m) => {
        await audit.record(
          { organizationId: t.admin.organizationId, actor: null, action: 'test.rollback', outcome: 'success' },
          m,
        );
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const rows = (await t.db.query("SELECT 1 FROM audit_events WHERE action = 'test.rollback'")) as unknown[];
    expect(rows).toHaveLength(0);
  });
});
