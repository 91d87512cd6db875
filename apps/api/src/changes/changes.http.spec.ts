import type { ChangeEventDto, ChangeStreamReady, RoleDto, TokenDto } from '@tessera/domain';
import { createTestApp, type TestApp, type TestOrg } from '../testing/test-app';
import { as } from '../tokens/testing/api-client';
import { aToken } from '../tokens/testing/a-token';
import { EventStreamReader, type StreamEvent } from './testing/event-stream';

const isChange = (e: StreamEvent): boolean => e.event === 'change';
const dataOf = <T>(e: StreamEvent): T => JSON.parse(e.data) as T;

describe('GET /changes (Server-Sent Events)', () => {
  let t: TestApp;
  let admin: ReturnType<typeof as>;
  let watcher: string;
  let other: TestOrg;
  const open: EventStreamReader[] = [];

  const stream = async (bearerToken: string, query = '', headers: Record<string, string> = {}): Promise<EventStreamReader> => {
    const auth: Record<string, string> = bearerToken ? { authorization: `Bearer ${bearerToken}` } : {};
    const reader = await EventStreamReader.open(`${t.url}/api/v1/changes${query}`, { ...auth, ...headers });
    open.push(reader);
    return reader;
  };
  const create = async (who = admin, body = aToken().build()) => (await who.post('/tokens', body).expect(201)).body as { token: TokenDto; secret: string };

  beforeAll(async () => {
    t = await createTestApp();
    admin = as(t, t.admin.token);
    watcher = (await create(admin, aToken().named('cache of orders').withScopes('changes:read', 'tokens:introspect').build())).secret;
    other = await t.createOrg('Other org');
  });

  afterEach(() => {
    for (const r of open.splice(0)) r.close();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('needs a credential holding changes:read', async () => {
    const none = await stream('');
    expect(none.status).toBe(401);
    const { secret } = await create(admin, aToken().withScopes('tokens:read').build());
    const refused = await stream(secret);
    expect(refused.status).toBe(403);
    expect(refused.response.headers['www-authenticate']).toContain('changes:read');
    expect(refused.response.headers['content-type']).toContain('application/problem+json');
  });

  it('starts with ready, with the security headers, never cached', async () => {
    const s = await stream(watcher);
    expect(s.status).toBe(200);
    expect(s.response.headers['content-type']).toBe('text/event-stream');
    expect(s.response.headers['cache-control']).toContain('no-store');
    expect(s.response.headers['x-content-type-options']).toBe('nosniff');
    expect(s.response.headers['content-security-policy']).toContain("default-src 'self'");
    const ready = await s.next();
    expect(ready.event).toBe('ready');
    expect(ready.id).toMatch(/^[A-Za-z0-9_-]+\.\d+$/);
    expect(dataOf<ChangeStreamReady>(ready)).toEqual({ org: t.admin.organizationId, resumed: false, heartbeatMs: 15_000 });
    expect(s.raw).toContain('retry: 1000');
  });

  it('reports every change that can alter access, with ids only and growing event ids', async () => {
    const s = await stream(watcher);
    await s.next();
    const { token, secret } = await create();
    const role = (await admin.post('/roles', { name: `readers ${Date.now()}`, permissions: ['orders:read'] }).expect(201)).body as RoleDto;
    await admin.patch(`/tokens/${token.id}`, { description: 'edited' }).expect(200);
    await admin.post(`/tokens/${token.id}/deactivate`).expect(200);
    await admin.post(`/tokens/${token.id}/activate`).expect(200);
    const regenerated = (await admin.post(`/tokens/${token.id}/regenerate`, { graceSeconds: 0 }).expect(200)).body as { secret: string };
    await admin.post(`/tokens/${token.id}/revoke`).expect(200);
    await admin.patch(`/roles/${role.id}`, { permissions: ['orders:read', 'orders:write'] }).expect(200);
    await admin.put('/security/ip-allowlist', { entries: [{ cidr: '127.0.0.0/8' }] }).expect(200);
    await admin.put('/security/ip-allowlist', { entries: [] }).expect(200);
    await admin.delete(`/tokens/${token.id}`).expect(204);

    const expected: Omit<ChangeEventDto, 'org'>[] = [
      { kind: 'token', id: token.id }, // create
      { kind: 'role', id: role.id }, // create
      ...Array.from({ length: 5 }, () => ({ kind: 'token' as const, id: token.id })), // edit, deactivate, activate, regenerate, revoke
      { kind: 'role', id: role.id },
      { kind: 'allowlist', id: t.admin.organizationId },
      { kind: 'allowlist', id: t.admin.organizationId },
      { kind: 'token', id: token.id }, // delete
    ];
    // The watcher's stream ends after a role or allowlist change (its own access may have changed):
    // it reconnects with Last-Event-ID, as an EventSource does, and resumes.
    const seen: StreamEvent[] = [];
    let reader = s;
    let lastId: string | null = null;
    while (seen.length < expected.length) {
      try {
        const e = await reader.next(isChange, reader.events.findIndex((x) => x.id === lastId) + 1);
        seen.push(e);
        lastId = e.id;
      } catch (err) {
        if (!reader.ended || lastId === null) throw err;
        reader = await stream(watcher, '', { 'last-event-id': lastId });
        expect(dataOf<ChangeStreamReady>(await reader.next()).resumed).toBe(true);
      }
    }
    expect(seen.map((e) => dataOf<ChangeEventDto>(e))).toEqual(expected.map((e) => ({ ...e, org: t.admin.organizationId })));
    const sequences = seen.map((e) => Number(e.id?.split('.')[1]));
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(sequences.length);
    for (const r of open) {
      expect(r.raw).not.toContain(secret);
      expect(r.raw).not.toContain(regenerated.secret);
      expect(r.raw).not.toContain('tsr_');
    }
  });

  it("never shows another organization's changes (attacker: a stream of org A while org B changes)", async () => {
    const theirs = as(t, other.token);
    const s = await stream(watcher);
    await s.next();
    const { token: foreign } = await create(theirs);
    await theirs.post(`/tokens/${foreign.id}/revoke`).expect(200);
    const foreignRole = (await theirs.post('/roles', { name: 'theirs', permissions: ['orders:read'] }).expect(201)).body as RoleDto;
    await theirs.put('/security/ip-allowlist', { entries: [{ cidr: '127.0.0.0/8' }] }).expect(200);
    await theirs.delete(`/tokens/${foreign.id}`).expect(204);
    // A change of our own org, committed after theirs: one LISTEN connection hears them in commit order.
    const { token: ours } = await create();
    const first = await s.next(isChange);
    expect(dataOf<ChangeEventDto>(first)).toEqual({ kind: 'token', id: ours.id, org: t.admin.organizationId });
    expect(s.raw).not.toContain(foreign.id);
    expect(s.raw).not.toContain(foreignRole.id);
    expect(s.raw).not.toContain(other.organizationId);
    // Their own watcher sees theirs only.
    const { token: watcherToken, secret: theirWatcher } = await create(theirs, aToken().named('their watcher').withScopes('changes:read').build());
    const ts = await stream(theirWatcher);
    await ts.next();
    await admin.post(`/tokens/${ours.id}/revoke`).expect(200);
    const { token: theirsNext } = await create(theirs);
    // The watcher's own creation may still be on its way when the stream opens (a slow LISTEN
    // connection on a busy machine): it is theirs, so it may show; the next change after it is theirsNext.
    const notTheWatcher = (e: StreamEvent): boolean => isChange(e) && dataOf<ChangeEventDto>(e).id !== watcherToken.id;
    expect(dataOf<ChangeEventDto>(await ts.next(notTheWatcher)).id).toBe(theirsNext.id);
    expect(ts.raw).not.toContain(ours.id);
  });

  it('resumes after Last-Event-ID, and answers resumed:false to an id it cannot resume from', async () => {
    const s = await stream(watcher);
    await s.next();
    const { token } = await create();
    const seen = await s.next(isChange);
    s.close();
    await admin.patch(`/tokens/${token.id}`, { description: 'while away' }).expect(200);
    await admin.post(`/tokens/${token.id}/deactivate`).expect(200);

    const back = await stream(watcher, '', { 'last-event-id': seen.id ?? '' });
    const ready = await back.next();
    expect(dataOf<ChangeStreamReady>(ready).resumed).toBe(true);
    expect(ready.id).toBe(seen.id);
    const missed = [await back.next(isChange), await back.next(isChange, back.events.findIndex(isChange) + 1)];
    expect(missed.map((e) => dataOf<ChangeEventDto>(e).id)).toEqual([token.id, token.id]);
    expect(missed.map((e) => e.id)).not.toContain(seen.id);

    for (const forged of ['elsewhere.1', `${seen.id}0`, 'nonsense', `${(seen.id ?? '').split('.')[0]}.999999`]) {
      const r = await stream(watcher, '', { 'last-event-id': forged });
      expect(dataOf<ChangeStreamReady>(await r.next()).resumed).toBe(false);
      r.close();
    }
  });

  it('sends heartbeat comments as often as asked, and names a bad heartbeat', async () => {
    const s = await stream(watcher, '?heartbeat=250');
    expect(dataOf<ChangeStreamReady>(await s.next()).heartbeatMs).toBe(250);
    const deadline = Date.now() + 10_000;
    while (s.comments.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(s.comments).toContain('ping');
    const bad = await t.http.get('/api/v1/changes?heartbeat=5').set('Authorization', `Bearer ${watcher}`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'heartbeat' })]);
  });

  it('ends the stream of a token that is revoked, and refuses it again', async () => {
    const { token, secret } = await create(admin, aToken().named('short-lived watcher').withScopes('changes:read').build());
    const s = await stream(secret);
    await s.next();
    await admin.post(`/tokens/${token.id}/revoke`).expect(200);
    await s.untilEnded();
    expect((await stream(secret)).status).toBe(401);
  });

  it('keeps serving other requests while streams are open', async () => {
    const streams = await Promise.all([stream(watcher), stream(watcher), stream(watcher)]);
    await Promise.all(streams.map((s) => s.next()));
    await admin.get('/tokens').expect(200);
  });

  it('ends every stream when the app shuts down', async () => {
    const s = await stream(watcher);
    await s.next();
    const app = t;
    t = undefined as unknown as TestApp;
    await app.close();
    await s.untilEnded();
    expect(s.events.at(-1)?.event).toBe('reset');
  });
});
