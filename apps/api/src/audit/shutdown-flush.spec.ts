import { generateTokenSecret } from '@tessera/domain';
import { Client } from 'pg';
import { insertToken } from '../testing/fixtures';
import { bearer, createTestApp } from '../testing/test-app';

describe('a clean stop', () => {
  it('writes buffered refused-authentication rows and usage data before the database closes', async () => {
    const t = await createTestApp({ env: { FLUSH_INTERVAL_MS: '1000' } });
    const url = (t.db.options as { url: string }).url;
    try {
      const { id, secret } = await insertToken(t);
      await t.http.get('/api/v1/auth/me').set(bearer(secret)).expect(200);
      await t.http.get('/api/v1/auth/me').set(bearer(generateTokenSecret())).set('User-Agent', 'stop-probe').expect(401);
      await t.app.close();
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        const denied = await client.query("SELECT reason FROM audit_events WHERE user_agent = 'stop-probe'");
        expect(denied.rows).toEqual([{ reason: 'unknown' }]);
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
