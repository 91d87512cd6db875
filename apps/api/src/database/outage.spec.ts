import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CreatedTokenDto, generateTokenSecret } from '@tessera/domain';
import { Client } from 'pg';
import request from 'supertest';
import { eventually, type Instance, startInstance } from '../credentials/testing/instances';
import { TEST_ADMIN } from '../testing/test-app';
import { startStoppablePostgres, type StoppablePostgres } from '../testing/stoppable-postgres';

/**
 * A real PostgreSQL, really stopped (fast shutdown, as `pg_ctl stop -m fast`) and started again,
 * under two api instances: A (default: consistency first) and B (AUTH_STALE_ON_OUTAGE_SECONDS=60).
 * Every answer is checked (never a 500; 503 always with Retry-After), every refusal answered is
 * counted in the audit log exactly once (in a row of its own or a summary row's count), and usage
 * counts add up. Nothing here is timed: effects
 * are polled for.
 */
describe('a database outage', () => {
  let pg: StoppablePostgres;
  let dataDir: string;
  let a: Instance;
  let b: Instance;
  let db: Client;
  let admin: string;
  let good: CreatedTokenDto;
  let inactive: CreatedTokenDto;
  /** User-Agent of every refusal answered (each request has its own). */
  const refused: string[] = [];
  /** 200 answers for `good` (its use_count must match). */
  let goodUses = 0;
  let n = 0;

  const env = () => ({ DATA_DIR: dataDir, FLUSH_INTERVAL_MS: '50' });

  beforeAll(async () => {
    pg = await startStoppablePostgres();
    await pg.createDatabase('tessera');
    dataDir = mkdtempSync(join(tmpdir(), 'tessera-outage-'));
    a = await startInstance(pg.url('tessera'), env());
    b = await startInstance(pg.url('tessera'), { ...env(), AUTH_STALE_ON_OUTAGE_SECONDS: '60' });
    db = new Client({ connectionString: pg.url('tessera') });
    db.on('error', () => undefined);
    await db.connect();
    admin = (await a.login(TEST_ADMIN.email, TEST_ADMIN.password)).token;
    const create = async (name: string) =>
      (await a.as(admin).post('/tokens', { name, scopes: ['tokens:read'] }).expect(201)).body as CreatedTokenDto;
    good = await create('good');
    inactive = await create('inactive');
    await a.as(admin).post(`/tokens/${inactive.token.id}/deactivate`).expect(200);
  });

  afterAll(async () => {
    await db?.end().catch(() => undefined);
    await a?.close().catch(() => undefined);
    await b?.close().catch(() => undefined);
    await pg?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** GET auth/me with `secret` and a User-Agent of its own; never a 500; 503 always with Retry-After. */
  async function call(on: Instance, secret: string): Promise<number> {
    const agent = `outage-probe-${++n}`;
    const res = await on.as(secret).get('/auth/me').set('User-Agent', agent);
    expect(res.status).not.toBe(500);
    if (res.status === 503) {
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    if (res.status === 401) refused.push(agent);
    if (res.status === 200 && secret === good.secret) goodUses++;
    return res.status;
  }

  /** Refusals the audit log counts (a summary row stands for `count` of them). */
  async function countedRefusals(): Promise<number> {
    return Number((await db.query<{ n: string | null }>("SELECT sum(count) AS n FROM audit_events WHERE action = 'auth.denied'")).rows[0]?.n ?? 0);
  }

  async function reconnect(): Promise<void> {
    await db.end().catch(() => undefined);
    db = new Client({ connectionString: pg.url('tessera') });
    db.on('error', () => undefined);
    await db.connect();
  }

  it('answers 503 with Retry-After while PostgreSQL is stopped, never 401 or 500, and 200 again once it is back', async () => {
    expect(await call(a, good.secret)).toBe(200);
    expect(await call(b, good.secret)).toBe(200); // B caches it
    expect(await call(b, good.secret)).toBe(200);
    expect(await call(a, inactive.secret)).toBe(401);
    expect(await call(a, 'tsr_malformed')).toBe(401);

    await pg.stop();
    await eventually('A notices the outage', async () => (await call(a, good.secret)) === 503, 10_000);

    // Anything that needs the database: 503, never 401 (a 401 would make a client drop a good token).
    expect(await call(a, good.secret)).toBe(503);
    expect(await call(a, inactive.secret)).toBe(503);
    expect(await call(a, generateTokenSecret())).toBe(503);
    const login = await request(a.url).post('/api/v1/auth/login').send({ email: TEST_ADMIN.email, password: TEST_ADMIN.password });
    expect(login.status).toBe(503);
    expect(login.headers['retry-after']).toBeDefined();
    // A secret that fails its checksum needs no database: refused, and audited once it is back.
    expect(await call(a, 'tsr_malformed')).toBe(401);
    expect(await call(a, 'tsr_malformed')).toBe(401);

    const ready = await request(a.url).get('/api/v1/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.headers['retry-after']).toBeDefined();
    expect((ready.body as { detail: string }).detail).toMatch(/database/);
    await request(a.url).get('/api/v1/health/live').expect(200);

    // B (AUTH_STALE_ON_OUTAGE_SECONDS=60) answers what it had cached; anything else is 503.
    await eventually('B notices the outage', async () => (await call(b, generateTokenSecret())) === 503, 10_000);
    expect(await call(b, good.secret)).toBe(200);
    expect(await call(b, inactive.secret)).toBe(503);

    await pg.start();
    await eventually('A answers again', async () => (await call(a, good.secret)) === 200, 10_000);
    await eventually('B reads the database again', async () => (await call(b, generateTokenSecret())) === 401, 10_000);
    expect(await call(a, inactive.secret)).toBe(401);
    expect(await call(b, inactive.secret)).toBe(401);
    await request(a.url).get('/api/v1/health/ready').expect(200);
  });

  it('writes every refusal answered before, during and after, exactly once, and every use', async () => {
    await reconnect();
    // Refusals of the inactive token are rows of their own; repeated malformed secrets from
    // 127.0.0.0/24 are counted into their network's summary row, written when its minute ends (or at
    // the stop: the last test checks that every refusal is counted once).
    const audited = async () =>
      (
        await db.query<{ user_agent: string; n: string }>(
          "SELECT user_agent, count(*) AS n FROM audit_events WHERE user_agent LIKE 'outage-probe-%' GROUP BY user_agent",
        )
      ).rows;
    const inactiveRefused = async () =>
      Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM audit_events WHERE action = 'auth.denied' AND target_id = $1", [inactive.token.id])).rows[0]?.n);
    await eventually('every refusal of the inactive token is in the audit log', async () => (await inactiveRefused()) >= 3, 10_000);
    const rows = await audited();
    expect(rows.every((r) => refused.includes(r.user_agent))).toBe(true);
    expect(rows.every((r) => r.n === '1')).toBe(true);
    expect(await countedRefusals()).toBeLessThanOrEqual(refused.length);

    const uses = async () =>
      Number((await db.query<{ use_count: string }>('SELECT use_count FROM tokens WHERE id = $1', [good.token.id])).rows[0]?.use_count);
    await eventually('every use is counted', async () => (await uses()) === goodUses, 10_000);
  });

  it('refuses on the other instance a token revoked right after the database returns, either way, and hears changes once listening again', async () => {
    const create = async (name: string) =>
      (await a.as(admin).post('/tokens', { name, scopes: ['tokens:read'] }).expect(201)).body as CreatedTokenDto;
    const onA = await create('revoked on A after the outage');
    const onB = await create('revoked on B after the outage');
    for (const instance of [a, b]) {
      for (const t of [onA, onB]) {
        expect(await call(instance, t.secret)).toBe(200);
        expect(await call(instance, t.secret)).toBe(200); // cached on both
      }
    }

    await pg.stop();
    await eventually('A notices the outage', async () => (await call(a, generateTokenSecret())) === 503, 10_000);
    await eventually('B notices the outage', async () => (await call(b, generateTokenSecret())) === 503, 10_000);
    await pg.start();

    // The first revoke A can write once the database is back (before it, 503 and nothing written).
    await eventually('A revokes', async () => (await a.as(admin).post(`/tokens/${onA.token.id}/revoke`)).status === 200, 10_000);
    await eventually('B refuses the token revoked on A', async () => (await call(b, onA.secret)) === 401);

    // The other way round; A (consistency first) never accepts it again once the revoke returned.
    await eventually('B revokes', async () => (await b.as(admin).post(`/tokens/${onB.token.id}/revoke`)).status === 200, 10_000);
    const answers: number[] = [];
    await eventually('A refuses the token revoked on B', async () => {
      answers.push(await call(a, onB.secret));
      return answers.at(-1) === 401;
    });
    expect(answers).not.toContain(200);

    // Both change feeds listen again: caches in use, and a change travels by notification again.
    await eventually(
      'both caches are trusted again',
      async () => a.credentials.credentialCache?.isTrusted === true && b.credentials.credentialCache?.isTrusted === true,
      10_000,
    );
    const later = await create('revoked once the feeds are back');
    expect(await call(b, later.secret)).toBe(200);
    expect(await call(b, later.secret)).toBe(200);
    await a.as(admin).post(`/tokens/${later.token.id}/revoke`).expect(200);
    await eventually('B refuses the token revoked on A', async () => (await call(b, later.secret)) === 401);
    for (const t of [onA, onB]) {
      expect(await call(a, t.secret)).toBe(401);
      expect(await call(b, t.secret)).toBe(401);
    }
  });

  it('saves what a clean stop during an outage could not write, and writes it at the next start', async () => {
    const kept = (await a.as(admin).post('/tokens', { name: 'used during the outage', scopes: ['tokens:read'] }).expect(201))
      .body as CreatedTokenDto;
    let keptUses = 0;
    const useKept = async (): Promise<number> => {
      const status = await call(b, kept.secret);
      if (status === 200) keptUses++;
      return status;
    };
    expect(await useKept()).toBe(200);
    expect(await useKept()).toBe(200); // B caches it: answered from its outage snapshot below

    await pg.stop();
    await eventually('A notices the outage', async () => (await call(a, inactive.secret)) === 503, 10_000);
    await eventually('B notices the outage', async () => (await call(b, generateTokenSecret())) === 503, 10_000);
    for (let i = 0; i < 3; i++) expect(await useKept()).toBe(200);
    const before = refused.length;
    for (let i = 0; i < 5; i++) expect(await call(a, 'tsr_malformed')).toBe(401);
    const spilled = refused.slice(before);

    await a.close();
    await b.close();
    const spillDir = join(dataDir, 'spill');
    expect(readdirSync(spillDir).filter((f) => f.startsWith('audit-')).length).toBeGreaterThan(0);
    expect(readdirSync(spillDir).filter((f) => f.startsWith('usage-')).length).toBeGreaterThan(0);

    await pg.start();
    await reconnect();
    a = await startInstance(pg.url('tessera'), env());
    expect(readdirSync(spillDir).filter((f) => f.startsWith('audit-'))).toEqual([]);
    // Every refusal answered by either instance, those spilled included, is counted exactly once:
    // in a row of its own (its User-Agent at most once) or in a summary row's count.
    expect(spilled).toHaveLength(5);
    expect(await countedRefusals()).toBe(refused.length);
    const rows = await db.query<{ user_agent: string; n: string }>(
      "SELECT user_agent, count(*) AS n FROM audit_events WHERE user_agent LIKE 'outage-probe-%' GROUP BY user_agent",
    );
    expect(rows.rows.every((r) => refused.includes(r.user_agent) && r.n === '1')).toBe(true);
    expect(readdirSync(spillDir).filter((f) => f.startsWith('usage-'))).toEqual([]);
    const uses = await db.query<{ use_count: string }>('SELECT use_count FROM tokens WHERE id = $1', [kept.token.id]);
    expect(Number(uses.rows[0]?.use_count)).toBe(keptUses);
    expect(existsSync(spillDir)).toBe(true);
  });
});
