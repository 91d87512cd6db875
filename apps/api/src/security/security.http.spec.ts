import { createTestApp, type TestApp } from '../testing/test-app';
import { as, auditOf, WITHOUT_FAILURE_LIMIT } from '../tokens/testing/api-client';
import { aToken } from '../tokens/testing/a-token';

describe('organization IP allowlist over HTTP', () => {
  let t: TestApp;
  let admin: ReturnType<typeof as>;

  beforeAll(async () => {
    t = await createTestApp({ env: WITHOUT_FAILURE_LIMIT });
    admin = as(t, t.admin.token);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('starts empty and tells the caller its own address', async () => {
    const res = await admin.get('/security/ip-allowlist').expect(200);
    expect(res.body.entries).toEqual([]);
    expect(res.body.callerIp).toMatch(/127\.0\.0\.1$/);
  });

  it('saves a list that includes the caller, in canonical form, and audits it', async () => {
    const res = await admin
      .put('/security/ip-allowlist', { entries: [{ cidr: '127.0.0.0/8', note: 'loopback' }, { cidr: '2001:DB8::/32' }] })
      .expect(200);
    expect(res.body.entries).toEqual([
      { cidr: '127.0.0.0/8', note: 'loopback' },
      { cidr: '2001:db8::/32', note: '' },
    ]);
    expect((await admin.get('/security/ip-allowlist').expect(200)).body.entries).toHaveLength(2);
    const { secret } = (await admin.post('/tokens', aToken().build()).expect(201)).body as { secret: string };
    await as(t, secret).get('/auth/me').expect(200);

    const rows = await auditOf(t, t.admin.organizationId);
    expect(rows.at(-1)).toMatchObject({ action: 'security.ip_allowlist.update', outcome: 'success' });
    expect(rows.at(-1)?.details['added']).toEqual(['127.0.0.0/8', '2001:db8::/32']);
    await admin.put('/security/ip-allowlist', { entries: [] }).expect(200);
  });

  it('refuses (409) a list that would shut out the caller, unless forced', async () => {
    const other = await t.createOrg();
    const theirs = as(t, other.token);
    const { secret } = (await theirs.post('/tokens', aToken().build()).expect(201)).body as { secret: string };

    const refused = await theirs.put('/security/ip-allowlist', { entries: [{ cidr: '10.0.0.0/8' }] });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('127.0.0.1');
    expect((await theirs.get('/security/ip-allowlist').expect(200)).body.entries).toEqual([]);

    await theirs.put('/security/ip-allowlist', { entries: [{ cidr: '10.0.0.0/8' }], force: true }).expect(200);
    // From the next request on, the organization's session and tokens are shut out (403) …
    expect((await theirs.get('/security/ip-allowlist')).status).toBe(403);
    expect((await as(t, secret).get('/auth/me')).status).toBe(403);
    // … and other organizations are not affected.
    await admin.get('/security/ip-allowlist').expect(200);
  });

  it('names every bad or duplicate entry (400)', async () => {
    const bad = await admin.put('/security/ip-allowlist', { entries: [{ cidr: '10.0.0.1/8' }, { cidr: 'nope' }, { cidr: '127.0.0.1', note: 'x'.repeat(201) }] });
    expect(bad.status).toBe(400);
    const fields = (bad.body.errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['entries.0.cidr', 'entries.1.cidr', 'entries.2.note']));

    const dup = await admin.put('/security/ip-allowlist', { entries: [{ cidr: '127.0.0.1' }, { cidr: '127.0.0.1/32' }] });
    expect(dup.status).toBe(400);
    expect(dup.body.errors).toEqual([expect.objectContaining({ field: 'entries.1.cidr' })]);
  });

  it('needs security:write to change the list', async () => {
    const { secret } = (await admin.post('/tokens', aToken().withScopes('security:read').build()).expect(201)).body as { secret: string };
    await as(t, secret).get('/security/ip-allowlist').expect(200);
    const res = await as(t, secret).put('/security/ip-allowlist', { entries: [] });
    expect(res.status).toBe(403);
  });
});
