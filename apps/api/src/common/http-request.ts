import { canonicalRequestTarget, type RequestTarget } from '@tessera/domain';

/**
 * The few request fields Tessera reads, common to Fastify and Express requests, so the
 * guard and helpers stay adapter-light.
 */
export interface HttpRequestLike {
  method: string;
  url: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  query?: unknown;
  body?: unknown;
  socket?: { remoteAddress?: string } | null;
  raw?: { url?: string; socket?: { remoteAddress?: string } | null };
}

/** Facts about the caller resolved once per request by the global guard (also on public routes). */
export interface RequestContext {
  ip: string;
  userAgent: string | null;
  origin: string | null;
}

export const PRINCIPAL_KEY = 'tesseraPrincipal';
export const CONTEXT_KEY = 'tesseraContext';

export function requestPath(req: HttpRequestLike): string {
  const url = req.originalUrl ?? req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** The request target exactly as on the request line (query string included). */
export function rawRequestTarget(req: HttpRequestLike): string {
  return req.raw?.url ?? req.originalUrl ?? req.url ?? '';
}

/** Where a request keeps its parsed target (a symbol property: cheaper than a WeakMap per request). */
const TARGET = Symbol('tessera.requestTarget');
type WithTarget = { [TARGET]?: RequestTarget | null };

/**
 * The request's canonical (method, path) as the router routes it (`canonicalRequestTarget`), null
 * when it cannot be read so. Parsed once per request: the early request-target hook, the guard and
 * its audit row all ask.
 */
export function requestTarget(req: HttpRequestLike): RequestTarget | null {
  const holder = (req.raw ?? req) as WithTarget;
  const known = holder[TARGET];
  if (known !== undefined) return known;
  const target = canonicalRequestTarget(req.method, rawRequestTarget(req));
  holder[TARGET] = target;
  return target;
}

/** Longest path an audit row keeps. */
export const AUDIT_PATH_MAX_LENGTH = 512;

export function headerValue(req: HttpRequestLike, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export function socketAddress(req: HttpRequestLike): string {
  return req.socket?.remoteAddress ?? req.raw?.socket?.remoteAddress ?? '';
}
