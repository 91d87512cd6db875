import type { Client } from 'pg';
import { createTestApp, type TestApp } from '../testing/test-app';
import { type Change, ChangeNotifier, CHANGES_CHANNEL } from './change-notifier';

describe('ChangeNotifier', () => {
  let t: TestApp;
  let notifier: ChangeNotifier;
  beforeAll(async () => {
    t = await createTestApp();
    notifier = t.app.get(ChangeNotifier);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('tells local listeners only after the transaction commits, and never after a rollback', async () => {
    const heard: Change[] = [];
    const off = notifier.onCommitted((c) => heard.push(c));
    try {
      await t.db.transaction(async (m) => {
        await notifier.notify(m, { kind: 'token', id: 'committed' });
        expect(heard).toEqual([]);
      });
      expect(heard).toEqual([{ kind: 'token', id: 'committed' }]);

      await expect(
        t.db.transaction(async (m) => {
          await notifier.notify(m, { kind: 'role', id: 'rolled-back' });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      await notifier.notify(t.db.manager, { kind: 'org', id: 'no-transaction' });
      expect(heard.map((c) => c.id)).toEqual(['committed', 'no-transaction']);
    } finally {
      off();
    }
  });

  it('sends pg_notify on tessera_changes when the transaction commits', async () => {
    const runner = t.db.createQueryRunner();
    await runner.connect();
    const client = (await runner.connect()) as Client;
    const payloads: string[] = [];
    client.on('notification', (n) => {
      if (n.channel === CHANGES_CHANNEL && n.payload) payloads.push(n.payload);
    });
    await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    try {
      await t.db.transaction(async (m) => {
        await notifier.notify(m, { kind: 'session', id: 's1' });
        await new Promise((r) => setTimeout(r, 50));
        expect(payloads).toEqual([]);
      });
      for (let i = 0; i < 300 && payloads.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(payloads.map((p) => JSON.parse(p))).toEqual([{ kind: 'session', id: 's1' }]);
    } finally {
      await client.query(`UNLISTEN ${CHANGES_CHANNEL}`);
      await runner.release();
    }
  });
});
