import { performance } from 'node:perf_hooks';
import type { CreatedTokenDto } from '@tessera/domain';
import { Client } from 'pg';
import request from 'supertest';
import { type Change, CHANGES_CHANNEL } from './change-notifier';
import { startFreezingProxy, type FreezingProxy } from './testing/freezing-proxy';
import { eventually, type Instance, startInstance } from './testing/instances';
import { createTestDatabase, TEST_ADMIN } from '../testing/test-app';
import { CHANGE_FEED_LIVENESS, ChangeListener } from './change-listener';

/** The bound of docs/security.md "Change feed liveness": a silently dead feed is noticed within it. */
const NOTICED_WITHIN_MS = 1_000;

/**
 * The change feed's connection dies SILENTLY (a TCP proxy stops forwarding without closing
 * anything, as a lost NAT entry or a vanished peer would): no error, no end, only the heartbeat
 * can tell. Real PostgreSQL; the proxy sits between the listener and it. Nothing here measures
 * speed: the state is polled, and the only bound asserted is the documented one.
 */
describe('change feed liveness', () => {
  let database: { url: string; drop(): Promise<void> };
  let direct: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    direct = new Client({ connectionString: database.url });
    await direct.connect();
  });

  afterAll(async () => {
    await direct?.end().catch(() => undefined);
    await database?.drop();
  });

  const notify = async (change: Change): Promise<void> => {
    await direct.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, JSON.stringify(change)]);
  };

  describe('the listener alone', () => {
    let proxy: FreezingProxy;
    let listener: ChangeListener;
    const changes: Change[] = [];
    const lost: string[] = [];
    let listening = 0;
    /** Every `alive(asOf)` reported, with the changes reported before it. */
    const alive: { asOf: number; changesBefore: number }[] = [];

    beforeAll(async () => {
      proxy = await startFreezingProxy(database.url);
      listener = new ChangeListener(proxy.url, {
        change: (c) => changes.push(c),
        unknown: () => undefined,
        listening: () => listening++,
        lost: (reason) => lost.push(reason),
        alive: (asOf) => alive.push({ asOf, changesBefore: changes.length }),
      });
      await listener.start();
    });

    afterAll(async () => {
      await listener?.stop();
      await proxy?.close();
    });

    it('reports a heartbeat only after every change committed before it was sent', async () => {
      const before = changes.length;
      await notify({ kind: 'token', id: 'committed-before-the-ping' });
      const committedAt = performance.now();
      await eventually('a heartbeat sent after the commit is answered', async () => alive.some((a) => a.asOf > committedAt));
      const first = alive.find((a) => a.asOf > committedAt);
      expect(first?.changesBefore).toBeGreaterThan(before);
      expect(changes.slice(before)).toContainEqual({ kind: 'token', id: 'committed-before-the-ping' });
    });

    it(`notices a silently dead connection within ${NOTICED_WITHIN_MS} ms, and listens again on a new one`, async () => {
      expect(listener.isListening).toBe(true);
      expect(proxy.freeze('tessera-listener')).toBe(1);
      await eventually('the listener reports the connection lost', async () => lost.length === 1 && !listener.isListening, NOTICED_WITHIN_MS);
      expect(lost[0]).toMatch(/no answer to a ping/);

      // Until the network is back, reconnects get nowhere either; then the listener is back.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(listener.isListening).toBe(false);
      proxy.thaw();
      await eventually('listening again', async () => listening === 2 && listener.isListening, 10_000);
      const before = changes.length;
      await notify({ kind: 'role', id: 'after-the-reconnect' });
      await eventually('a change is heard again', async () => changes.length > before);
    });
  });

  describe('an api instance whose change feed goes silent', () => {
    let proxy: FreezingProxy;
    let api: Instance;
    let admin: string;
    let token: CreatedTokenDto;

    const metric = async (): Promise<number> => {
      const res = await request(api.url).get('/metrics').set('Authorization', `Bearer ${admin}`).expect(200);
      const line = /^tessera_change_listener_connected (\d+)$/m.exec(res.text);
      if (!line) throw new Error('tessera_change_listener_connected is not exposed');
      return Number(line[1]);
    };
    const status = async (secret: string): Promise<number> => (await api.as(secret).get('/auth/me')).status;

    beforeAll(async () => {
      proxy = await startFreezingProxy(database.url);
      api = await startInstance(proxy.url, {});
      admin = (await api.login(TEST_ADMIN.email, TEST_ADMIN.password)).token;
      token = (await api.as(admin).post('/tokens', { name: 'watched', scopes: ['tokens:read'] }).expect(201)).body as CreatedTokenDto;
    });

    afterAll(async () => {
      await api?.close();
      await proxy?.close();
    });

    it(`bypasses the cache within ${NOTICED_WITHIN_MS} ms, so a change it cannot hear holds at once`, async () => {
      const cache = api.credentials.credentialCache;
      await eventually('the token is cached', async () => (await status(token.secret)) === 200 && (cache?.size ?? 0) > 0);
      expect(cache?.isTrusted).toBe(true);
      expect(await metric()).toBe(1);

      expect(proxy.freeze('tessera-listener')).toBe(1);
      await eventually(
        'the metric reads 0 and the cache is bypassed',
        async () => cache?.isTrusted === false && (await metric()) === 0,
        NOTICED_WITHIN_MS,
      );

      // Revoked behind the instance's back: the notification goes to the dead connection.
      await direct.query('UPDATE tokens SET revoked_at = now(), valid_to = now() WHERE id = $1', [token.token.id]);
      await notify({ kind: 'token', id: token.token.id });
      expect(await status(token.secret)).toBe(401);
    });

    it('trusts the cache again once it listens on a new connection, and hears changes there', async () => {
      const cache = api.credentials.credentialCache;
      proxy.thaw();
      await eventually('listening again', async () => cache?.isTrusted === true && (await metric()) === 1, 10_000);
      const other = (await api.as(admin).post('/tokens', { name: 'watched again', scopes: ['tokens:read'] }).expect(201))
        .body as CreatedTokenDto;
      await eventually('the new token is cached', async () => (await status(other.secret)) === 200 && (cache?.size ?? 0) > 0);
      expect(await status(other.secret)).toBe(200);

      await direct.query('UPDATE tokens SET active = false WHERE id = $1', [other.token.id]);
      await notify({ kind: 'token', id: other.token.id });
      await eventually('the instance hears the deactivation', async () => (await status(other.secret)) === 401);
    });

    it('pings at the documented pace', () => {
      expect(CHANGE_FEED_LIVENESS.pingIntervalMs + CHANGE_FEED_LIVENESS.pingTimeoutMs).toBeLessThan(NOTICED_WITHIN_MS);
      expect(CHANGE_FEED_LIVENESS.maxHeartbeatAgeMs).toBeLessThan(NOTICED_WITHIN_MS);
      expect(CHANGE_FEED_LIVENESS.maxHeartbeatAgeMs).toBeGreaterThan(2 * CHANGE_FEED_LIVENESS.pingIntervalMs);
    });
  });
});
