import { generateTokenSecret } from '@tessera/domain';
import { Client } from 'pg';
import { insertToken } from '../testing/fixtures';
import { bearer, createTestApp } from '../testing/test-app';

describe('a clean stop', () => {
  it('writes buffered refused-authentication rows, open summary rows and usage data before the database closes', async () => {
    const t = await createTestApp({ env: { FLUSH_INTERVAL_MS: '1000' } });
    const url = (t.db.options as { url: string }).url;
    try {
      const { id, secret } = await insertToken(t);
      await t.http.get('/api/v1/auth/me').set(bearer(secret)).expect(200);
      // Three refusals from one network: the first is a row of its own, the other two are counted
      // into the network's summary row, which is open (its minute has not ended) when the stop comes.
      for (let i = 0; i < 3; i++) {
        await t.http.get('/api/v1/auth/me').set(bearer(generateTokenSecret())).set('User-Agent', 'stop-probe').expect(401);
      }
      await t.app.close();
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        const denied = await client.query(
          "SELECT reason, count FROM audit_events WHERE user_agent = 'stop-probe' OR details->'userAgents' ? 'stop-probe' ORDER BY seq",
        );
        expect(denied.rows).toEqual([
          { reason: 'unknown', count: 1 },
          { reason: 'unknown', count: 2 },
        ]);
        const usage = await client.query('SELECT use_count FROM tokens WHERE id = $1', [id]);
        expect(usage.rows).toEqual([{ use_count: '1' }]);
      } finally {
        await client.end();
      }
    } finally {
      await t.close();
    }
  });
});
