import type { TokenDto } from '@tessera/domain';
import { createTestApp, type TestApp } from '../testing/test-app';
import { as, auditOf, WITHOUT_FAILURE_LIMIT } from './testing/api-client';
import { aToken } from './testing/a-token';

const T0 = new Date('2031-03-01T12:00:00.000Z');
const plus = (ms: number): Date => new Date(T0.getTime() + ms);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('tokens over HTTP (real app, real PostgreSQL)', () => {
  let t: TestApp;
  let admin: ReturnType<typeof as>;

  beforeAll(async () => {
    t = await createTestApp({ now: () => T0, env: WITHOUT_FAILURE_LIMIT });
    admin = as(t, t.admin.token);
  });

  afterAll(async () => {
    await t?.close();
  });

  beforeEach(() => t.setNow(T0));

  async function create(body = aToken().build()): Promise<{ token: TokenDto; secret: string }> {
    const res = await admin.post('/tokens', body).expect(201);
    return res.body as { token: TokenDto; secret: string };
  }

  const me = (secret: string) => as(t, secret).get('/auth/me');

  describe('create', () => {
    it('returns the token and its secret once, storing only its hash', async () => {
      const res = await admin.post('/tokens', aToken().named('Nightly reports').describedAs('cron').withScopes('tokens:read').build());
      expect(res.status).toBe(201);
      const { token, secret } = res.body as { token: TokenDto; secret: string };
      expect(secret).toMatch(/^tsr_[0-9A-Za-z]{46}$/);
      expect(token).toMatchObject({
        name: 'Nightly reports',
        description: 'cron',
        scopes: ['tokens:read'],
        permissions: ['tokens:read'],
        status: 'active',
        active: true,
        revokedAt: null,
        validFrom: null,
        validTo: null,
        useCount: 0,
        createdBy: { kind: 'user', name: 'Administrator' },
      });
      expect(token.hint.startsWith('tsr_')).toBe(true);
      expect(token.hint).not.toBe(secret);
      expect(res.headers['etag']).toBe(`"${token.version}"`);

      const got = await admin.get(`/tokens/${token.id}`).expect(200);
      expect(JSON.stringify(got.body)).not.toContain(secret);
      const [row] = await t.db.query(`SELECT secret_hash FROM tokens WHERE id = $1`, [token.id]);
      expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(await auditOf(t, token.id))).not.toContain(secret);
    });

    it('lets the new token call GET /api/v1/auth/me from 127.0.0.1, and refuses it outside allowedIps 10.0.0.0/8', async () => {
      const { token, secret } = await create(aToken().withScopes('tokens:read').build());
      const ok = await me(secret).expect(200);
      expect(ok.body).toMatchObject({ kind: 'token', id: token.id });

      const fenced = await create(aToken().withScopes('tokens:read').allowingIps('10.0.0.0/8').build());
      const refused = await me(fenced.secret);
      expect(refused.status).toBe(403);
      expect(refused.headers['content-type']).toContain('application/problem+json');
    });

    it('answers 400 problem+json naming every bad field and writes nothing', async () => {
      const before = await t.db.query(`SELECT count(*)::int AS n FROM tokens`);
      const res = await admin.post('/tokens', {
        name: '',
        scopes: ['not a permission'],
        allowedIps: ['10.0.0.1/8', 'nope'],
        allowedEndpoints: ['FETCH /x'],
        allowedOrigins: ['ftp://x'],
        validFrom: 'tomorrow',
        roleId: 'not-a-uuid',
        surprise: true,
      });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
      expect(fields).toEqual(
        expect.arrayContaining(['name', 'scopes.0', 'allowedIps.0', 'allowedIps.1', 'allowedEndpoints.0', 'allowedOrigins.0', 'validFrom', 'roleId']),
      );
      expect(JSON.stringify(res.body)).toContain('surprise');
      const after = await t.db.query(`SELECT count(*)::int AS n FROM tokens`);
      expect(after[0].n).toBe(before[0].n);
    });

    it('refuses a token without role and scopes, and one that expires in the past', async () => {
      const none = await admin.post('/tokens', { name: 'empty' });
      expect(none.status).toBe(400);
      expect(none.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'scopes' })]));

      const past = await admin.post('/tokens', aToken().expiringAt(plus(-MINUTE)).build());
      expect(past.status).toBe(400);
      expect(past.body.errors).toEqual([expect.objectContaining({ field: 'validTo' })]);
    });

    it('refuses a roleId of no role of the organization (400 naming roleId)', async () => {
      const res = await admin.post('/tokens', aToken().withRole('00000000-0000-4000-8000-000000000000').build());
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'roleId' })]);
    });

    it('takes its permissions from the role and the scopes', async () => {
      const roles = (await admin.get('/roles').expect(200)).body as { id: string; name: string }[];
      const readOnly = roles.find((r) => r.name === 'Read only');
      const body = { ...aToken().withRole(readOnly?.id ?? '').build(), scopes: ['tokens:write'] };
      const { token } = await create(body);
      expect(token).toMatchObject({ roleId: readOnly?.id, roleName: 'Read only', permissions: ['*:read', 'tokens:write'] });
    });

    it('keeps names unique per organization, case-insensitively (409 naming the field)', async () => {
      await create(aToken().named('Deploy bot').build());
      const res = await admin.post('/tokens', aToken().named('DEPLOY BOT').build());
      expect(res.status).toBe(409);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'name' })]);
    });

    it('answers 409, never 500, when the same name is created concurrently', async () => {
      const body = aToken().named('Race').build();
      const results = await Promise.all([1, 2, 3, 4].map(() => admin.post('/tokens', body)));
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    });

    it('normalizes IP rules', async () => {
      const { token } = await create(aToken().allowingIps('::ffff:10.1.2.3', '10.0.0.0/8', '10.0.0.0/8').build());
      expect(token.allowedIps).toContain('10.0.0.0/8');
      expect(token.allowedIps).toHaveLength(2);
    });
  });

  describe('a token that holds tokens:write', () => {
    let creator: { token: TokenDto; secret: string };
    const creatorExpiry = plus(24 * HOUR);

    beforeAll(async () => {
      t.setNow(T0);
      creator = await create(
        aToken().named('creator').withScopes('tokens:read', 'tokens:write').allowingIps('127.0.0.0/8', '::1').expiringAt(creatorExpiry).build(),
      );
    });

    const asCreator = () => as(t, creator.secret);
    const narrow = () => aToken().withScopes('tokens:read').allowingIps('127.0.0.1').expiringAt(plus(HOUR));

    it('creates a narrower token, created by the token', async () => {
      const res = await asCreator().post('/tokens', narrow().build());
      expect(res.status).toBe(201);
      expect(res.body.token.createdBy).toEqual({ kind: 'token', id: creator.token.id, name: 'creator' });
      const rows = await auditOf(t, res.body.token.id);
      expect(rows[0]).toMatchObject({ action: 'token.create', actor_kind: 'token', actor_id: creator.token.id });
    });

    it('may not grant a permission it lacks (403 naming it)', async () => {
      const res = await asCreator().post('/tokens', narrow().withScopes('tokens:read', 'roles:write').build());
      expect(res.status).toBe(403);
      expect(res.body.detail).toContain('roles:write');
      const [refusal] = await t.db.query(
        `SELECT action, outcome, reason FROM audit_events WHERE actor_id = $1 AND outcome = 'failure' ORDER BY seq DESC LIMIT 1`,
        [creator.token.id],
      );
      expect(refusal).toEqual({ action: 'token.create', outcome: 'failure', reason: 'wider_than_caller' });
    });

    it('may not create a token that never expires or outlives it', async () => {
      const forever = narrow().build();
      delete forever.validTo;
      const a = await asCreator().post('/tokens', forever);
      expect(a.status).toBe(403);
      expect(a.body.errors).toEqual([expect.objectContaining({ field: 'validTo' })]);

      const later = await asCreator().post('/tokens', narrow().expiringAt(plus(48 * HOUR)).build());
      expect(later.status).toBe(403);
    });

    it('may not widen the IP range', async () => {
      const anywhere = narrow().build();
      delete anywhere.allowedIps;
      const a = await asCreator().post('/tokens', anywhere);
      expect(a.status).toBe(403);
      expect(a.body.errors).toEqual([expect.objectContaining({ field: 'allowedIps' })]);
      const elsewhere = await asCreator().post('/tokens', narrow().allowingIps('10.0.0.0/8').build());
      expect(elsewhere.status).toBe(403);
    });

    it('may not widen a token through PATCH either', async () => {
      const { token } = (await asCreator().post('/tokens', narrow().build()).expect(201)).body as { token: TokenDto };
      expect((await asCreator().patch(`/tokens/${token.id}`, { scopes: ['*:*'] })).status).toBe(403);
      expect((await asCreator().patch(`/tokens/${token.id}`, { validTo: null })).status).toBe(403);
      expect((await asCreator().patch(`/tokens/${token.id}`, { allowedIps: ['10.0.0.1'] })).status).toBe(403);
      await asCreator().patch(`/tokens/${token.id}`, { name: `${token.name} renamed` }).expect(200);
    });

    it('may not edit a wider token at all, not even to narrow it (the token as it is must be covered)', async () => {
      const wide = (await create(aToken().withScopes('*:*').build())).token;
      const fullForm = { name: `${wide.name} renamed`, description: 'edited by a token', roleId: null, scopes: ['*:*'], allowedIps: [], validTo: null };
      const res = await asCreator().patch(`/tokens/${wide.id}`, fullForm);
      expect(res.status).toBe(403);
      expect(res.body.detail).toContain("*:* beyond the caller's permissions");
      expect((await asCreator().patch(`/tokens/${wide.id}`, { scopes: ['tokens:read'], validTo: plus(HOUR).toISOString() })).status).toBe(403);
      expect((await admin.get(`/tokens/${wide.id}`).expect(200)).body).toMatchObject({ name: wide.name, scopes: ['*:*'], version: wide.version });
    });
  });

  describe('list', () => {
    let ids: Record<string, string>;

    beforeAll(async () => {
      t.setNow(T0);
      ids = {};
      for (const [name, body] of [
        ['List alpha report', aToken().withScopes('audit:read')],
        ['List beta report', aToken().withScopes('roles:*')],
        ['List gamma', aToken().withScopes('tokens:read').startingIn('2h', T0)],
        ['List delta 100%_off', aToken().withScopes('tokens:read').expiringIn('1h', T0)],
      ] as const) {
        ids[name] = (await create(body.named(name).build())).token.id;
      }
      await admin.post(`/tokens/${ids['List gamma']}/deactivate`).expect(200);
    });

    const names = (body: { items: TokenDto[] }) => body.items.map((i) => i.name).filter((n) => n.startsWith('List '));

    it('matches every name keyword, case-insensitively', async () => {
      expect(names((await admin.get('/tokens?q=REPORT').expect(200)).body).sort()).toEqual(['List alpha report', 'List beta report']);
      expect(names((await admin.get('/tokens?q=report%20Alpha').expect(200)).body)).toEqual(['List alpha report']);
      expect(names((await admin.get('/tokens?q=100%25_').expect(200)).body)).toEqual(['List delta 100%_off']);
      expect(names((await admin.get('/tokens?q=1000').expect(200)).body)).toEqual([]);
    });

    it('finds a token by its GUID or the beginning of it', async () => {
      const id = ids['List beta report'] ?? '';
      expect(names((await admin.get(`/tokens?guid=${id}`).expect(200)).body)).toEqual(['List beta report']);
      const page = (await admin.get(`/tokens?guid=${id.slice(0, 13).toUpperCase()}`).expect(200)).body as { items: TokenDto[] };
      expect(page.items.map((i) => i.id)).toContain(id);
      expect((await admin.get('/tokens?guid=zzz').expect(200)).body.total).toBe(0);
    });

    it('filters by a scope the effective permissions grant', async () => {
      expect(names((await admin.get('/tokens?scope=roles:write&q=list').expect(200)).body)).toEqual(['List beta report']);
      expect(names((await admin.get('/tokens?scope=audit:read&q=list').expect(200)).body)).toEqual(['List alpha report']);
      const bad = await admin.get('/tokens?scope=nonsense');
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'scope' })]);
    });

    it('filters by status computed against the clock', async () => {
      expect(names((await admin.get('/tokens?status=inactive&q=list').expect(200)).body)).toEqual(['List gamma']);
      expect(names((await admin.get('/tokens?status=expired&q=list').expect(200)).body)).toEqual([]);
      t.setNow(plus(90 * MINUTE));
      expect(names((await admin.get('/tokens?status=expired&q=list').expect(200)).body)).toEqual(['List delta 100%_off']);
      const active = (await admin.get('/tokens?status=active&q=list').expect(200)).body as { items: TokenDto[] };
      expect(active.items.every((i) => i.status === 'active')).toBe(true);
      expect(names(active).sort()).toEqual(['List alpha report', 'List beta report']);
    });

    it('sorts and pages', async () => {
      const asc = (await admin.get('/tokens?q=list&sort=name').expect(200)).body;
      expect(names(asc)).toEqual(['List alpha report', 'List beta report', 'List delta 100%_off', 'List gamma']);
      const desc = (await admin.get('/tokens?q=list&sort=-name').expect(200)).body;
      expect(names(desc)).toEqual(['List gamma', 'List delta 100%_off', 'List beta report', 'List alpha report']);
      const byExpiry = (await admin.get('/tokens?q=list&sort=validTo').expect(200)).body;
      expect(names(byExpiry)[0]).toBe('List delta 100%_off');
      const page2 = (await admin.get('/tokens?q=list&sort=name&page=2&pageSize=3').expect(200)).body;
      expect(page2).toMatchObject({ total: 4, page: 2, pageSize: 3 });
      expect(names(page2)).toEqual(['List gamma']);
      const tooBig = await admin.get('/tokens?pageSize=101');
      expect(tooBig.status).toBe(400);
      expect(tooBig.body.errors).toEqual([expect.objectContaining({ field: 'pageSize' })]);
    });
  });

  describe('edit with ETag / If-Match', () => {
    it('returns the version as ETag and refuses a stale If-Match with 412', async () => {
      const { token } = await create();
      const got = await admin.get(`/tokens/${token.id}`).expect(200);
      const etag = got.headers['etag'] as string;
      expect(etag).toBe(`"${token.version}"`);

      const edited = await admin.patch(`/tokens/${token.id}`, { description: 'first' }).set('If-Match', etag).expect(200);
      expect(edited.body.description).toBe('first');
      expect(edited.headers['etag']).toBe(`"${token.version + 1}"`);

      const stale = await admin.patch(`/tokens/${token.id}`, { description: 'second' }).set('If-Match', etag);
      expect(stale.status).toBe(412);
      expect(stale.headers['content-type']).toContain('application/problem+json');
      expect((await admin.get(`/tokens/${token.id}`)).body.description).toBe('first');

      await admin.patch(`/tokens/${token.id}`, { description: 'weak' }).set('If-Match', `W/${edited.headers['etag']}`).expect(200);
    });

    it('lets exactly one of three concurrent PATCHes with the same If-Match win', async () => {
      const { token } = await create();
      const etag = `"${token.version}"`;
      const results = await Promise.all(
        ['one', 'two', 'three'].map((d) => admin.patch(`/tokens/${token.id}`, { description: d }).set('If-Match', etag)),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412]);
      expect((await admin.get(`/tokens/${token.id}`).expect(200)).body.version).toBe(token.version + 1);
    });

    it('changes rules, role and dates but never the secret, and audits the change', async () => {
      const { token, secret } = await create(aToken().withScopes('tokens:read').build());
      const res = await admin
        .patch(`/tokens/${token.id}`, { scopes: ['tokens:read', 'audit:read'], blockedIps: ['192.0.2.1'], validTo: plus(HOUR).toISOString() })
        .expect(200);
      expect(res.body).toMatchObject({ scopes: ['tokens:read', 'audit:read'], blockedIps: ['192.0.2.1'], validTo: plus(HOUR).toISOString() });
      await me(secret).expect(200);
      const rows = await auditOf(t, token.id);
      expect(rows.map((r) => r.action)).toEqual(['token.create', 'token.update']);
      expect(rows[1]?.details['changed']).toEqual(expect.arrayContaining(['scopes', 'blockedIps', 'validTo']));
    });

    it('keeps role ∪ scopes non-empty and validTo after validFrom on the merged result', async () => {
      const { token } = await create(aToken().withScopes('tokens:read').build());
      const empty = await admin.patch(`/tokens/${token.id}`, { scopes: [] });
      expect(empty.status).toBe(400);
      await admin.patch(`/tokens/${token.id}`, { validTo: plus(2 * HOUR).toISOString() }).expect(200);
      const inverted = await admin.patch(`/tokens/${token.id}`, { validFrom: plus(3 * HOUR).toISOString() });
      expect(inverted.status).toBe(400);
      expect(inverted.body.errors).toEqual([expect.objectContaining({ field: 'validTo' })]);
    });

    it('refuses a rename onto another token name (409)', async () => {
      const a = await create();
      const b = await create();
      const res = await admin.patch(`/tokens/${b.token.id}`, { name: a.token.name.toUpperCase() });
      expect(res.status).toBe(409);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'name' })]);
    });
  });

  describe('lifecycle', () => {
    it('deactivates and activates; the change holds from the next request', async () => {
      const { token, secret } = await create();
      await me(secret).expect(200);
      const off = await admin.post(`/tokens/${token.id}/deactivate`).expect(200);
      expect(off.body).toMatchObject({ active: false, status: 'inactive' });
      await me(secret).expect(401);
      const on = await admin.post(`/tokens/${token.id}/activate`).expect(200);
      expect(on.body).toMatchObject({ active: true, status: 'active' });
      await me(secret).expect(200);
      expect((await auditOf(t, token.id)).map((r) => r.action)).toEqual(['token.create', 'token.deactivate', 'token.activate']);
    });

    it('revokes for good: revokedAt and validTo set to now, activate answers 409', async () => {
      const { token, secret } = await create(aToken().expiringIn('30d', T0).build());
      await me(secret).expect(200);
      const res = await admin.post(`/tokens/${token.id}/revoke`).expect(200);
      expect(res.body).toMatchObject({ status: 'revoked', revokedAt: T0.toISOString(), validTo: T0.toISOString() });
      const refused = await me(secret);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toContain('invalid_token');
      expect((await admin.post(`/tokens/${token.id}/activate`)).status).toBe(409);
      expect((await admin.post(`/tokens/${token.id}/revoke`)).status).toBe(409);
      expect((await admin.post(`/tokens/${token.id}/regenerate`, {})).status).toBe(409);
      expect((await admin.patch(`/tokens/${token.id}`, { name: 'x' })).status).toBe(409);
      expect((await auditOf(t, token.id)).map((r) => r.action)).toEqual(['token.create', 'token.revoke']);
    });

    it('regenerates without grace: the old secret stops at once', async () => {
      const { token, secret } = await create();
      const res = await admin.post(`/tokens/${token.id}/regenerate`, { graceSeconds: 0 }).expect(200);
      const fresh = res.body.secret as string;
      expect(fresh).not.toBe(secret);
      expect(res.body.token.hint).not.toBe(token.hint);
      await me(secret).expect(401);
      await me(fresh).expect(200);
      const rows = await auditOf(t, token.id);
      expect(rows.map((r) => r.action)).toEqual(['token.create', 'token.regenerate']);
      expect(JSON.stringify(rows)).not.toContain(fresh);
    });

    it('regenerates with grace: the old secret works until the grace ends, then 401', async () => {
      const { token, secret } = await create();
      const res = await admin.post(`/tokens/${token.id}/regenerate`, { graceSeconds: 60 }).expect(200);
      const fresh = res.body.secret as string;
      await me(secret).expect(200);
      await me(fresh).expect(200);
      t.setNow(plus(59_000));
      await me(secret).expect(200);
      t.setNow(plus(61_000));
      await me(secret).expect(401);
      await me(fresh).expect(200);
    });

    it('rejects a grace over a day', async () => {
      const { token } = await create();
      const res = await admin.post(`/tokens/${token.id}/regenerate`, { graceSeconds: 86401 });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'graceSeconds' })]);
    });

    it('is pending before validFrom and expired from validTo on (injected clock)', async () => {
      const pending = await create(aToken().startingIn('1h', T0).build());
      expect(pending.token.status).toBe('pending');
      await me(pending.secret).expect(401);
      t.setNow(plus(HOUR));
      await me(pending.secret).expect(200);

      t.setNow(T0);
      const expiring = await create(aToken().expiringIn('1h', T0).build());
      await me(expiring.secret).expect(200);
      t.setNow(plus(HOUR));
      await me(expiring.secret).expect(401);
      expect((await admin.get(`/tokens/${expiring.token.id}`).expect(200)).body.status).toBe('expired');
    });

    it('deletes for good (204), then 404 and 401', async () => {
      const { token, secret } = await create();
      await admin.delete(`/tokens/${token.id}`).expect(204);
      await admin.get(`/tokens/${token.id}`).expect(404);
      await admin.delete(`/tokens/${token.id}`).expect(404);
      await me(secret).expect(401);
      expect((await auditOf(t, token.id)).map((r) => r.action)).toEqual(['token.create', 'token.delete']);
    });

    it('answers 400 naming the parameter for an id that is not a UUID, 404 for an unknown one', async () => {
      const bad = await admin.get('/tokens/not-a-uuid');
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'id' })]);
      await admin.post('/tokens/00000000-0000-4000-8000-000000000000/revoke').expect(404);
    });
  });
});
