import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type HttpRequestLike, rawRequestTarget, requestTarget } from '../common/http-request';
import { setSecurityHeaders } from './security-headers';

/**
 * Fastify's router (find-my-way) is told to treat `//` and a trailing slash as the route without
 * them, the way `canonicalRequestTarget` in @tessera/domain does, so that the guard's endpoint
 * rules and the router agree on which route a spelling reaches.
 */
export const ROUTER_OPTIONS = { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true } as const;

export const UNPARSEABLE_TARGET_DETAIL =
  'The request target must be a path starting with "/" (the absolute form http://host/… is refused), ' +
  'without "." or ".." segments or a raw ";", and with percent-escapes that decode to UTF-8';

/**
 * Refuses, before anything else runs, a request target the guard could not check exactly as the
 * router routes it: absolute form (find-my-way strips `http://host` and routes the rest), any
 * other target not starting with `/` (find-my-way skips its first character), dot segments, a raw
 * `;` and undecodable escapes (see canonicalRequestTarget). Reads the raw request line's target
 * (`req.raw.url`), not Fastify's view.
 */
export function refuseUnparseableTarget(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  // A callback hook, not an async one: no promise per request.
  if (requestTarget(request) !== null) {
    done();
    return;
  }
  void reply.code(400).header('content-type', 'application/problem+json').send(UNPARSEABLE_TARGET_PROBLEM);
}

const UNPARSEABLE_TARGET_PROBLEM = JSON.stringify({
  type: 'https://httpstatuses.io/400',
  title: 'Bad Request',
  status: 400,
  detail: UNPARSEABLE_TARGET_DETAIL,
  errors: [{ field: 'path', message: UNPARSEABLE_TARGET_DETAIL }],
});

/**
 * Fastify's `frameworkErrors`: a path the router cannot decode (`%zz`, not UTF-8) is answered before
 * any hook runs; give it the same 400 problem+json (and the same headers) as refuseUnparseableTarget.
 */
export function frameworkError(
  error: Error & { code?: string },
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  setSecurityHeaders(reply);
  void reply.header('cache-control', 'no-store');
  if (error.code === 'FST_ERR_BAD_URL') {
    void reply
      .code(400)
      .header('content-type', 'application/problem+json')
      .send(UNPARSEABLE_TARGET_PROBLEM);
    return;
  }
  void reply
    .code(500)
    .header('content-type', 'application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', title: 'Internal Server Error', status: 500 }));
}

/** Is this target under /api/ as the router reads it (`//api/...` too)? Unparseable targets count as api. */
export function isApiPath(request: HttpRequestLike): boolean {
  if (rawRequestTarget(request).startsWith('/api/')) return true;
  const target = requestTarget(request);
  return target === null || target.segments[0] === 'api';
}

export interface RegisteredRoute {
  method: string;
  url: string;
}

const ROUTES = new WeakMap<object, RegisteredRoute[]>();

/** Remembers every route Fastify registers (tests enumerate them to attack each one). */
export function collectRoutes(fastify: FastifyInstance): void {
  const routes: RegisteredRoute[] = [];
  ROUTES.set(fastify, routes);
  fastify.addHook('onRoute', (route) => {
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      routes.push({ method: String(method), url: route.url ?? route.path });
    }
  });
}

/** The routes registered on `fastify` since collectRoutes (HEAD routes Fastify adds included). */
export function registeredRoutes(fastify: FastifyInstance): readonly RegisteredRoute[] {
  return ROUTES.get(fastify) ?? [];
}
