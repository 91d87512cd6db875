import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that can make connections die SILENTLY: `freeze()` stops
 * forwarding bytes both ways on the chosen connections without closing anything, like a NAT entry
 * or a firewall that forgot them, or a peer that vanished. Nothing is reported to either side; only
 * a heartbeat (or a connect timeout) can notice.
 */
export interface FreezingProxy {
  /** `databaseUrl` with its host and port replaced by the proxy's (127.0.0.1:<free port>). */
  url: string;
  /**
   * Freezes every open connection whose startup message contains `startupContains` (e.g. the
   * `application_name` 'tessera-listener'; any connection when omitted), and every such connection
   * opened until `thaw()` (its startup message goes nowhere). Returns how many were open.
   */
  freeze(startupContains?: string): number;
  /** New connections pass again (frozen ones stay frozen, as dead connections stay dead). */
  thaw(): void;
  close(): Promise<void>;
}

interface Link {
  client: Socket;
  upstream: Socket;
  /** The client's first bytes (the startup message, plain text: no TLS to a local test server). */
  startup: string;
  frozen: boolean;
}

export async function startFreezingProxy(databaseUrl: string): Promise<FreezingProxy> {
  const target = new URL(databaseUrl);
  const links = new Set<Link>();
  /** While set, new connections whose startup message contains it are frozen at once. */
  let freezing: string | null = null;
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    const link: Link = { client, upstream, startup: '', frozen: false };
    links.add(link);
    client.on('data', (chunk: Buffer) => {
      if (link.startup === '') {
        link.startup = chunk.toString('latin1');
        if (freezing !== null && link.startup.includes(freezing)) link.frozen = true;
      }
      if (!link.frozen) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!link.frozen) client.write(chunk);
    });
    const close = (): void => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    // A frozen link reports nothing to the client: the upstream side may end, the client never hears.
    upstream.on('close', () => {
      if (!link.frozen) close();
    });
    client.on('close', close);
    client.on('error', close);
    upstream.on('error', () => {
      if (!link.frozen) close();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(address.port);
  return {
    url: url.toString(),
    freeze(startupContains?: string) {
      freezing = startupContains ?? '';
      let n = 0;
      for (const link of links) {
        if (startupContains === undefined || link.startup.includes(startupContains)) {
          link.frozen = true;
          n++;
        }
      }
      return n;
    },
    thaw() {
      freezing = null;
    },
    async close() {
      for (const link of links) {
        link.client.destroy();
        link.upstream.destroy();
      }
      links.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
