/**
 * Origin rules: `https://app.example.com`, `https://*.example.com`, optional
 * `:port`; `http` is accepted too (local development). `*.` stands for exactly
 * one DNS label (like a TLS wildcard certificate): it matches
 * `https://a.example.com`, not `https://example.com` nor `https://a.b.example.com`;
 * the rest must have at least two labels (`https://*.com` is refused).
 * Host names compare case-insensitively; an absent port means the scheme's default.
 */

/** Longest accepted origin rule. */
export const ORIGIN_RULE_MAX_LENGTH = 300;

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const RULE_PATTERN = new RegExp(
  `^(https?)://(\\*\\.)?(${LABEL}(?:\\.${LABEL})*)(?::([0-9]{1,5}))?$`,
);
const ORIGIN_PATTERN = new RegExp(`^(https?)://(${LABEL}(?:\\.${LABEL})*)(?::([0-9]{1,5}))?$`);

interface ParsedOrigin {
  scheme: string;
  wildcard: boolean;
  host: string;
  port: number;
}

function defaultPort(scheme: string): number {
  return scheme === 'https' ? 443 : 80;
}

function parsePort(text: string | undefined, scheme: string): number {
  if (text === undefined) return defaultPort(scheme);
  if (text.length > 1 && text.startsWith('0')) return -1;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : -1;
}

function parseRule(rule: string): ParsedOrigin | null {
  if (typeof rule !== 'string' || rule.length > ORIGIN_RULE_MAX_LENGTH) return null;
  const m = RULE_PATTERN.exec(rule.toLowerCase());
  if (!m) return null;
  const scheme = m[1] as string;
  const port = parsePort(m[4], scheme);
  if (port < 0) return null;
  const wildcard = m[2] !== undefined;
  const host = m[3] as string;
  // '*.com' would let any site in a top-level domain through
  if (wildcard && !host.includes('.')) return null;
  return { scheme, wildcard, host, port };
}

function parseOrigin(origin: string): ParsedOrigin | null {
  if (typeof origin !== 'string' || origin.length > ORIGIN_RULE_MAX_LENGTH) return null;
  const m = ORIGIN_PATTERN.exec(origin.toLowerCase());
  if (!m) return null;
  const scheme = m[1] as string;
  const port = parsePort(m[3], scheme);
  if (port < 0) return null;
  return { scheme, wildcard: false, host: m[2] as string, port };
}

function matchesParsed(rule: ParsedOrigin, o: ParsedOrigin): boolean {
  if (rule.scheme !== o.scheme || rule.port !== o.port) return false;
  if (!rule.wildcard) return rule.host === o.host;
  const dot = o.host.indexOf('.');
  return dot > 0 && o.host.slice(dot + 1) === rule.host;
}

export function isValidOriginRule(rule: string): boolean {
  return parseRule(rule) !== null;
}

/** Does the `Origin` header value match the rule? Invalid rules and `null` origins match nothing. */
export function originRuleMatches(rule: string, origin: string): boolean {
  const r = parseRule(rule);
  const o = parseOrigin(origin);
  return r !== null && o !== null && matchesParsed(r, o);
}

export interface OriginMatcher {
  matches(origin: string): boolean;
  readonly size: number;
}

/** Compiles rules once. Throws on an invalid rule. */
export function createOriginMatcher(rules: readonly string[]): OriginMatcher {
  const parsed = rules.map((rule) => {
    const r = parseRule(rule);
    if (!r)
      throw new Error(`${JSON.stringify(String(rule).slice(0, 100))} is not a valid origin rule`);
    return r;
  });
  return {
    size: parsed.length,
    matches(origin: string): boolean {
      if (parsed.length === 0) return false;
      const o = parseOrigin(origin);
      return o !== null && parsed.some((r) => matchesParsed(r, o));
    },
  };
}
