import { Writable } from 'node:stream';
import type { ChangeEventDto, ChangeStreamReady, TokenDto } from '@tessera/domain';
import { createRootLogger } from '../app/logging';
import { eventually, type Instance, startInstance } from '../credentials/testing/instances';
import { createTestDatabase } from '../testing/test-app';
import { aToken } from '../tokens/testing/a-token';
import { EventStreamReader } from './testing/event-stream';

/**
 * Two api instances on one database, B writing its log into this test: a change made on A reaches
 * a stream on B; the stream leaves a request line and no secret; a lost change feed ends streams.
 */
describe('the change stream across instances', () => {
  let database: { url: string; runtimeUrl: string; drop(): Promise<void> };
  let a: Instance;
  let b: Instance;
  let adminToken: string;
  let watcher: string;
  const written: string[] = [];
  const open: EventStreamReader[] = [];

  const stream = async (on: Instance, headers: Record<string, string> = {}): Promise<EventStreamReader> => {
    const r = await EventStreamReader.open(`${on.url}/api/v1/changes`, { authorization: `Bearer ${watcher}`, ...headers });
    open.push(r);
    return r;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { DATABASE_RUNTIME_URL: database.runtimeUrl };
    a = await startInstance(database.url, env);
    const out = new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        written.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    b = await startInstance(database.url, { ...env, LOG_LEVEL: 'info' }, { logger: createRootLogger({ logLevel: 'info', logFormat: 'json' }, out) });
    adminToken = (await a.login('admin@tessera.test', 'admin-password-1234')).token;
    watcher = ((await a.as(adminToken).post('/tokens', aToken().withScopes('changes:read').build()).expect(201)).body as { secret: string }).secret;
  }, 180_000); // two api instances on a busy machine

  afterEach(() => {
    for (const r of open.splice(0)) r.close();
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  it('reports on B a change committed on A', async () => {
    const s = await stream(b);
    await s.next();
    const { token } = (await a.as(adminToken).post('/tokens', aToken().build()).expect(201)).body as { token: TokenDto };
    await a.as(adminToken).post(`/tokens/${token.id}/revoke`).expect(200);
    const events = [await s.next((e) => e.event === 'change'), await s.next((e) => e.event === 'change', s.events.findIndex((e) => e.event === 'change') + 1)];
    expect(events.map((e) => (JSON.parse(e.data) as ChangeEventDto).id)).toEqual([token.id, token.id]);
  });

  it('writes one request line for a stream once it ends, without the secret', async () => {
    const s = await stream(b);
    await s.next();
    s.close();
    await eventually('the request line of the stream', async () => written.some((l) => l.includes('/api/v1/changes')), 5_000);
    const text = written.join('\n');
    expect(text).not.toContain(watcher);
    expect(written.map((l) => JSON.parse(l) as { level: number }).filter((l) => l.level >= 50)).toEqual([]);
  });

  it('ends its streams with reset when its change feed is lost, and cannot resume from before', async () => {
    const s = await stream(b);
    const ready = await s.next();
    await a.as(adminToken).post('/tokens', aToken().build()).expect(201);
    const seen = await s.next((e) => e.event === 'change');
    expect(seen.id).not.toBe(ready.id);
    // Cut every LISTEN connection of this database (the cache's and the streams' alike).
    const { Client } = await import('pg');
    const admin = new Client({ connectionString: database.url });
    await admin.connect();
    try {
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name IN ('tessera-listener', 'tessera-changes') AND datname = current_database()`);
    } finally {
      await admin.end();
    }
    await s.untilEnded();
    expect(s.events.at(-1)?.event).toBe('reset');
    let again: EventStreamReader | null = null;
    await eventually(
      'B streams again once it listens again',
      async () => {
        again?.close();
        again = await stream(b, { 'last-event-id': seen.id ?? '' });
        return again.status === 200;
      },
      10_000,
    );
    const reader = again as unknown as EventStreamReader;
    expect((JSON.parse((await reader.next()).data) as ChangeStreamReady).resumed).toBe(false);
  });
});
