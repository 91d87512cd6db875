/** The few request fields the guard reads, common to Fastify and Express requests. */
export interface GuardedRequest {
  method: string;
  url: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string } | null;
  raw?: { url?: string; socket?: { remoteAddress?: string } | null };
}

/** The request target exactly as on the request line (query string included). */
export function requestTarget(req: GuardedRequest): string {
  return req.raw?.url ?? req.originalUrl ?? req.url ?? '';
}

export function header(req: GuardedRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * The socket's peer address: IPv4-mapped IPv6 as IPv4, zone id dropped. Behind a proxy, pass
 * `clientIp` to the module instead (and believe X-Forwarded-For only from your own proxies).
 */
export function socketAddress(req: GuardedRequest): string {
  const raw = req.raw?.socket?.remoteAddress ?? req.socket?.remoteAddress ?? '';
  const address = raw.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped ? (mapped[1] as string) : address;
}
