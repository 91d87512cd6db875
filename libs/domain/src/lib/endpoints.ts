/** HTTP methods an endpoint rule may name (or `*` for any). */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Longest accepted endpoint rule. */
export const ENDPOINT_RULE_MAX_LENGTH = 300;

/** A literal path segment: RFC 3986 pchar (unreserved, pct-encoded, sub-delims, ':' '@'), but no '*'. */
const LITERAL_SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()+,;=:@]|%[0-9A-Fa-f]{2})+$/;

interface CompiledRule {
  /** upper-case method or '*' */
  method: string;
  /** literal segments, '*' (one segment) or '**' (the rest, zero or more segments; last only) */
  segments: string[];
}

const METHODS: ReadonlySet<string> = new Set(HTTP_METHODS);

function compileRule(rule: string): CompiledRule | null {
  if (typeof rule !== 'string' || rule.length === 0 || rule.length > ENDPOINT_RULE_MAX_LENGTH)
    return null;
  const space = rule.indexOf(' ');
  if (space <= 0 || rule.indexOf(' ', space + 1) >= 0) return null;
  const method = rule.slice(0, space).toUpperCase();
  if (method !== '*' && !METHODS.has(method)) return null;
  const path = rule.slice(space + 1);
  if (!path.startsWith('/')) return null;
  const segments = splitPath(path);
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] as string;
    if (s === '**') {
      if (i !== segments.length - 1) return null;
    } else if (s !== '*') {
      if (!LITERAL_SEGMENT.test(s)) return null;
    }
  }
  return { method, segments: segments.map(decodeUnreserved) };
}

/** '/a/b/' -> ['a', 'b']; '/' -> []. A trailing slash is ignored, empty inner segments kept. */
function splitPath(path: string): string[] {
  let p = path;
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p === '/' ? [] : p.slice(1).split('/');
}

const UNRESERVED_ESCAPE = /%(?:[46][1-9A-Fa-f]|[57][0-9Aa]|3[0-9]|2[DEde]|5[Ff]|7[Ee])/g;

/** RFC 3986 §6.2.2.2: decode percent-encoded unreserved characters, so '/%74okens' is '/tokens'. */
function decodeUnreserved(segment: string): string {
  if (!segment.includes('%')) return segment;
  return segment.replace(UNRESERVED_ESCAPE, (m) => String.fromCharCode(parseInt(m.slice(1), 16)));
}

function requestSegments(path: string): string[] | null {
  if (typeof path !== 'string' || path.charCodeAt(0) !== 47 /* / */) return null;
  let cut = path.indexOf('?');
  const hash = path.indexOf('#');
  if (hash >= 0 && (cut < 0 || hash < cut)) cut = hash;
  const segments = splitPath(cut >= 0 ? path.slice(0, cut) : path);
  return path.includes('%') ? segments.map(decodeUnreserved) : segments;
}

function matchesCompiled(rule: CompiledRule, method: string, segments: readonly string[]): boolean {
  if (rule.method !== '*' && rule.method !== method) return false;
  const rs = rule.segments;
  for (let i = 0; i < rs.length; i++) {
    const r = rs[i] as string;
    if (r === '**') return true;
    if (i >= segments.length) return false;
    if (r !== '*' && r !== segments[i]) return false;
    if (r === '*' && segments[i] === '') return false;
  }
  return rs.length === segments.length;
}

/**
 * `METHOD /path`: METHOD one of HTTP_METHODS or `*`; each path segment literal,
 * `*` (exactly one segment) or `**` (the rest, zero or more segments; last only).
 */
export function isValidEndpointRule(rule: string): boolean {
  return compileRule(rule) !== null;
}

/**
 * Does the rule match this request? `path` is the request path (a query string
 * is ignored). Methods compare case-insensitively, paths case-sensitively;
 * a trailing slash is ignored and percent-encoded unreserved characters are decoded.
 * An invalid rule matches nothing.
 */
export function endpointRuleMatches(rule: string, method: string, path: string): boolean {
  const compiled = compileRule(rule);
  const segments = requestSegments(path);
  if (!compiled || !segments || typeof method !== 'string') return false;
  return matchesCompiled(compiled, method.toUpperCase(), segments);
}

export interface EndpointMatcher {
  matches(method: string, path: string): boolean;
  readonly size: number;
}

/** Compiles rules once. Throws on an invalid rule. */
export function createEndpointMatcher(rules: readonly string[]): EndpointMatcher {
  const compiled = rules.map((rule) => {
    const c = compileRule(rule);
    if (!c)
      throw new Error(`${JSON.stringify(String(rule).slice(0, 100))} is not a valid endpoint rule`);
    return c;
  });
  return {
    size: compiled.length,
    matches(method: string, path: string): boolean {
      if (compiled.length === 0 || typeof method !== 'string') return false;
      const segments = requestSegments(path);
      if (!segments) return false;
      const m = method.toUpperCase();
      for (const c of compiled) {
        if (matchesCompiled(c, m, segments)) return true;
      }
      return false;
    },
  };
}
