import { HttpException } from '@nestjs/common';

const TITLES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 503: 'Service Unavailable' };

/**
 * A refusal of the guard: an RFC 9457 problem body and the headers to send with it
 * (`WWW-Authenticate`, `Retry-After`). The guard sets the headers on the response itself, so any
 * exception filter of the service keeps them.
 */
export class TesseraRefusal extends HttpException {
  constructor(
    status: 400 | 401 | 403 | 503,
    detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super({ type: 'about:blank', title: TITLES[status], status, detail }, status);
  }
}

/** Sets headers on a Fastify reply or an Express/Node response. */
export function setHeaders(response: unknown, headers: Record<string, string>): void {
  const r = response as { header?: (k: string, v: string) => unknown; setHeader?: (k: string, v: string) => unknown };
  for (const [k, v] of Object.entries(headers)) {
    if (typeof r.header === 'function') r.header(k, v);
    else if (typeof r.setHeader === 'function') r.setHeader(k, v);
  }
}
