/**
 * The request target as the api's router (Fastify's find-my-way) routes it, in one canonical
 * spelling, so that an endpoint rule cannot be passed by spelling the same route another way.
 *
 * What the router does, and what the canonical form does about it:
 * - HEAD is answered by the GET handler → the method HEAD is GET.
 * - `?` and `#` end the path → cut there.
 * - The path is percent-decoded before routing (static segments), parameters are decoded fully
 *   → every segment is decoded once, then re-encoded in one spelling (below). `%2F` stays inside its
 *   segment, as it does in the router.
 * - Route parameters are matched in any case and ids are lower-cased by the UUID pipe; static
 *   segments are lower-case → segments are lower-cased (rules are lower-cased the same way, so
 *   rules match case-insensitively).
 * - `//` and a trailing slash are ignored by the router (ignoreDuplicateSlashes,
 *   ignoreTrailingSlash, see apps/api create-app) → empty segments are dropped.
 * - Absolute form (`http://host/path`) and anything else not starting with `/`, dot segments
 *   (`.`, `..`, also as `%2e`), undecodable escapes, and a raw `;` in the path (a path-parameter
 *   delimiter to some servers and proxies, part of the segment to find-my-way: no route of the api
 *   uses it, so it is refused rather than guessed) → not a target at all: `null`. The api answers
 *   400 for those before routing; `decideAccess` denies them whenever an endpoint rule exists.
 */
export interface RequestTarget {
  /** upper-case; HEAD is GET */
  method: string;
  /** `/` + segments joined with `/` */
  path: string;
  /** canonical segments: decoded, lower-cased, re-encoded; never empty, never `.` or `..` */
  segments: readonly string[];
}

const METHOD_TOKEN = /^[A-Za-z][A-Za-z-]{0,31}$/;

/** Upper-case method with HEAD as GET; null when it is not an HTTP method token. */
export function canonicalMethod(method: string): string | null {
  if (typeof method !== 'string' || !METHOD_TOKEN.test(method)) return null;
  const m = method.toUpperCase();
  return m === 'HEAD' ? 'GET' : m;
}

/** Characters kept as they are in a canonical segment: RFC 3986 pchar without `*`, `%` and `;` (refused raw). */
const KEPT = /^[a-z0-9\-._~!$&'()+,=:@]$/;
const ALL_KEPT = /^[a-z0-9\-._~!$&'()+,=:@]*$/;

function encodeChar(ch: string): string {
  if (KEPT.test(ch)) return ch;
  let out = '';
  for (const byte of new TextEncoder().encode(ch))
    out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/**
 * One path segment (without `/`) in canonical spelling: decoded once, lower-cased, and every
 * character outside RFC 3986 pchar (and `*`, `%`) percent-encoded with upper-case hex.
 * null when an escape cannot be decoded (bad hex, not UTF-8) or the segment is `.` or `..`.
 */
export function canonicalSegment(raw: string): string | null {
  let decoded: string;
  try {
    decoded = raw.includes('%') ? decodeURIComponent(raw) : raw;
  } catch {
    return null;
  }
  if (decoded === '.' || decoded === '..') return null;
  const lower = decoded.toLowerCase();
  if (ALL_KEPT.test(lower)) return lower;
  let out = '';
  for (const ch of lower) out += encodeChar(ch);
  return out;
}

/**
 * Splits a path (starting with `/`, no query) into canonical segments, dropping empty ones.
 * null when a segment cannot be decoded or is a dot segment.
 */
export function canonicalSegments(path: string): string[] | null {
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    if (raw === '') continue;
    const s = canonicalSegment(raw);
    if (s === null) return null;
    segments.push(s);
  }
  return segments;
}

/**
 * The canonical (method, path) of a request as it appears on the request line (`rawUrl`, query
 * string allowed). null when it cannot be parsed as an origin-form target: see the file comment.
 */
export function canonicalRequestTarget(method: string, rawUrl: string): RequestTarget | null {
  const m = canonicalMethod(method);
  if (m === null || typeof rawUrl !== 'string' || rawUrl.charCodeAt(0) !== 47 /* / */) return null;
  let end = rawUrl.length;
  const q = rawUrl.indexOf('?');
  if (q >= 0) end = q;
  const h = rawUrl.indexOf('#');
  if (h >= 0 && h < end) end = h;
  const path = rawUrl.slice(0, end);
  if (path.includes(';')) return null;
  const segments = canonicalSegments(path);
  if (segments === null) return null;
  return { method: m, path: `/${segments.join('/')}`, segments };
}
