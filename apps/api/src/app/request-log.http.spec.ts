import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { generateTokenSecret } from '@tessera/domain';
import { type Instance, startInstance } from '../credentials/testing/instances';
import { createTestDatabase } from '../testing/test-app';
import { createRootLogger, SAMPLED_LINES_PER_SECOND } from './logging';

/**
 * The real app at LOG_LEVEL=info, its root logger writing into this test: a flood of unknown
 * (well-formed) secrets is answered 401 every time, but writes request lines only at the rate.
 */
describe('request lines of the running api under a flood of refusals', () => {
  let database: { url: string; drop(): Promise<void> };
  let api: Instance;
  const written: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const out = new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        written.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    api = await startInstance(database.url, { LOG_LEVEL: 'info' }, { logger: createRootLogger({ logLevel: 'info', logFormat: 'json' }, out) });
  });

  afterAll(async () => {
    await api?.close();
    await database?.drop();
  });

  it('answers every refusal but writes at most the burst plus the rate of their lines', async () => {
    const secrets = Array.from({ length: 200 }, () => generateTokenSecret());
    const before = written.length;
    const started = performance.now();
    for (let i = 0; i < secrets.length; i += 50) {
      const statuses = await Promise.all(secrets.slice(i, i + 50).map(async (s) => (await api.as(s).get('/auth/me')).status));
      expect(statuses.every((status) => status === 401)).toBe(true);
    }
    const seconds = (performance.now() - started) / 1000;
    const lines = written.slice(before).map((l) => JSON.parse(l) as { msg: string });
    const refusalLines = lines.filter((l) => l.msg.startsWith('GET /api/v1/auth/me 401'));
    expect(refusalLines.length).toBeGreaterThan(0);
    // A bound, not a timing: the burst, plus what the rate lets through in the time the flood took.
    expect(refusalLines.length).toBeLessThanOrEqual(SAMPLED_LINES_PER_SECOND + Math.ceil(seconds * SAMPLED_LINES_PER_SECOND));
    const text = written.join('\n');
    for (const s of secrets) expect(text).not.toContain(s);
  });
});
