import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChangeSubscription } from './change-subscription';

/** A stand-in for Tessera's GET /api/v1/changes whose streams the test writes by hand. */
async function fakeStreamServer(status = 200) {
  const streams: ServerResponse[] = [];
  const requests: { url: string; authorization: string | undefined }[] = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    if (status !== 200) {
      res.writeHead(status, { 'content-type': 'application/problem+json' }).end('{}');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('\n');
    streams.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    streams,
    requests,
    send: (i: number, event: string, data: unknown, id = 'g.1') => streams[i]?.write(`event: ${event}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`),
    close: async () => {
      for (const s of streams) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function until(what: string, test: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('ChangeSubscription', () => {
  const log: string[] = [];
  const subscribe = (url: string, options: Record<string, number> = {}) =>
    new ChangeSubscription(
      { url, credential: () => 'tsr_watcher', minBackoffMs: 20, maxBackoffMs: 80, ...options },
      {
        change: (c) => log.push(`change ${c.kind} ${c.id}`),
        reset: (reason) => log.push(`reset ${reason}`),
        connected: () => log.push('connected'),
        problem: (m) => log.push(`problem ${m}`),
      },
    );

  beforeEach(() => log.splice(0));

  it('is live once ready, reports changes and resets, and resets when the stream ends, then comes back', async () => {
    const server = await fakeStreamServer();
    const sub = subscribe(server.url, { trustWindowMs: 60_000 });
    try {
      sub.start();
      await until('connected', () => server.streams.length === 1);
      expect(server.requests[0]).toEqual({ url: '/api/v1/changes?heartbeat=250', authorization: 'Bearer tsr_watcher' });
      expect(sub.isLive).toBe(false);
      server.send(0, 'ready', { org: 'o', resumed: false, heartbeatMs: 250 });
      await until('live', () => sub.isLive);
      server.send(0, 'change', { kind: 'token', id: 't1', org: 'o' }, 'g.2');
      server.send(0, 'reset', { reason: 'feed lost' }, 'h.0');
      await until('both events', () => log.length >= 4);
      expect(log).toEqual(['reset a new change stream', 'connected', 'change token t1', 'reset feed lost']);
      server.streams[0]?.end();
      await until('not live', () => !sub.isLive);
      await until('reset on disconnect', () => log.includes('reset disconnected from the change stream'));
      await until('reconnected', () => server.streams.length === 2);
    } finally {
      await sub.stop();
      await server.close();
    }
  });

  it('stops trusting a stream that goes quiet, and makes a new connection', async () => {
    const server = await fakeStreamServer();
    const sub = subscribe(server.url, { trustWindowMs: 150, deadAfterMs: 400 });
    try {
      sub.start();
      await until('connected', () => server.streams.length === 1);
      server.send(0, 'ready', { org: 'o', resumed: false, heartbeatMs: 250 });
      // Trusted for only 150 ms: on a busy machine a poll of isLive can miss that window, so wait
      // for the ready event itself.
      await until('ready', () => log.includes('connected'));
      // No heartbeat from now on.
      await until('untrusted', () => !sub.isLive);
      await until('a new connection', () => server.streams.length === 2);
    } finally {
      await sub.stop();
      await server.close();
    }
  });

  it('keeps trying, backing off, when Tessera refuses the stream', async () => {
    const server = await fakeStreamServer(403);
    const sub = subscribe(server.url);
    try {
      sub.start();
      await until('three attempts', () => server.requests.length >= 3);
      expect(sub.isLive).toBe(false);
      expect(log.filter((l) => l === 'problem GET /changes answered 403').length).toBeGreaterThanOrEqual(2);
    } finally {
      await sub.stop();
      await server.close();
    }
  });
});
