import { canonicalRequestTarget, canonicalSegment, type RequestTarget } from './request-target';

/** HTTP methods an endpoint rule may name (or `*` for any). */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Longest accepted endpoint rule. */
export const ENDPOINT_RULE_MAX_LENGTH = 300;

/** A literal path segment: RFC 3986 pchar (unreserved, pct-encoded, sub-delims, ':' '@'), but no '*'. */
const LITERAL_SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()+,;=:@]|%[0-9A-Fa-f]{2})+$/;

interface CompiledRule {
  /** upper-case method or '*'; HEAD is GET (the router answers HEAD with the GET handler) */
  method: string;
  /**
   * canonical literal segments (see request-target.ts), '*' (one segment) or '**' (the rest, zero
   * or more segments; last only). A canonical literal never is '*' or '**' (`*` is encoded).
   */
  segments: string[];
}

const METHODS: ReadonlySet<string> = new Set(HTTP_METHODS);

/** Never equal to a canonical segment: stands for a stored literal that cannot be decoded. */
const NEVER = '\u0000';

/**
 * `strict`: undecodable escapes and dot segments make the rule invalid (new rules). Otherwise
 * (rules already stored) such a segment becomes one that matches no request: a request with it
 * never reaches a route (the api answers 400), so nothing is lost.
 */
function compileRule(rule: string, strict: boolean): CompiledRule | null {
  if (typeof rule !== 'string' || rule.length === 0 || rule.length > ENDPOINT_RULE_MAX_LENGTH)
    return null;
  const space = rule.indexOf(' ');
  if (space <= 0 || rule.indexOf(' ', space + 1) >= 0) return null;
  const upper = rule.slice(0, space).toUpperCase();
  if (upper !== '*' && !METHODS.has(upper)) return null;
  const method = upper === 'HEAD' ? 'GET' : upper;
  const path = rule.slice(space + 1);
  if (!path.startsWith('/')) return null;
  const raw = path.split('/').filter((s) => s !== '');
  const segments: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const s = raw[i] as string;
    if (s === '**') {
      if (i !== raw.length - 1) return null;
      segments.push(s);
    } else if (s === '*') {
      segments.push(s);
    } else {
      if (!LITERAL_SEGMENT.test(s)) return null;
      // A raw ';' never reaches a route (request-target.ts): a new rule naming one is a mistake.
      if (strict && s.includes(';')) return null;
      const c = canonicalSegment(s);
      if (c === null && strict) return null;
      segments.push(c ?? NEVER);
    }
  }
  return { method, segments };
}

function matchesCompiled(rule: CompiledRule, target: RequestTarget): boolean {
  const { method, segments } = target;
  if (rule.method !== '*' && rule.method !== method) return false;
  const rs = rule.segments;
  for (let i = 0; i < rs.length; i++) {
    const r = rs[i] as string;
    if (r === '**') return true;
    if (i >= segments.length) return false;
    if (r !== '*' && r !== segments[i]) return false;
  }
  return rs.length === segments.length;
}

/**
 * `METHOD /path`: METHOD one of HTTP_METHODS or `*`; each path segment literal,
 * `*` (exactly one segment) or `**` (the rest, zero or more segments; last only).
 * Literal segments are RFC 3986 pchar; escapes must decode (UTF-8) and `.`/`..` are refused.
 */
export function isValidEndpointRule(rule: string): boolean {
  return compileRule(rule, true) !== null;
}

/**
 * Does the rule match this request? `path` is the request target as sent (query string allowed);
 * both sides are compared in canonical form (see `canonicalRequestTarget`): HEAD is GET, paths
 * compare case-insensitively, escapes are decoded, `//` and a trailing slash are ignored.
 * An invalid rule, or a target that cannot be parsed, matches nothing: callers that must fail
 * closed (decideAccess) check the target themselves.
 */
export function endpointRuleMatches(rule: string, method: string, path: string): boolean {
  const compiled = compileRule(rule, false);
  const target = canonicalRequestTarget(method, path);
  if (!compiled || !target) return false;
  return matchesCompiled(compiled, target);
}

export interface EndpointMatcher {
  /** `path` as sent; false when it cannot be parsed (see matchesTarget). */
  matches(method: string, path: string): boolean;
  /** For a target already in canonical form (canonicalRequestTarget). */
  matchesTarget(target: RequestTarget): boolean;
  readonly size: number;
}

/** Compiles rules once. Throws on a rule that is not valid at all (malformed `METHOD /path`). */
export function createEndpointMatcher(rules: readonly string[]): EndpointMatcher {
  const compiled = rules.map((rule) => {
    const c = compileRule(rule, false);
    if (!c)
      throw new Error(`${JSON.stringify(String(rule).slice(0, 100))} is not a valid endpoint rule`);
    return c;
  });
  const matchesTarget = (target: RequestTarget): boolean => {
    for (const c of compiled) {
      if (matchesCompiled(c, target)) return true;
    }
    return false;
  };
  return {
    size: compiled.length,
    matchesTarget,
    matches(method: string, path: string): boolean {
      if (compiled.length === 0) return false;
      const target = canonicalRequestTarget(method, path);
      return target !== null && matchesTarget(target);
    },
  };
}
