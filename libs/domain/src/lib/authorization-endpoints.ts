import { isValidEndpointRule } from './endpoints';

/**
 * Set reasoning over endpoint rules (`METHOD /path`, segments literal, `*` = one non-empty
 * segment, final `**` = the rest), for "the target reaches no endpoint the caller cannot".
 * Everything here errs on the side of the caller: "covers" may answer false for a pattern that is
 * in fact covered (a refusal the caller can work around by writing the rule the same way), never
 * true for one that is not. Literals are compared exactly for inclusion; for "may overlap" they
 * are compared case-insensitively, and a literal with a percent escape overlaps anything, so that
 * a canonicalisation of paths by the guard (case, escapes) can never make two "disjoint" rules meet.
 */

interface Pattern {
  method: string;
  segments: string[];
  text: string;
}

export function parsePattern(rule: string): Pattern {
  if (!isValidEndpointRule(rule)) throw new Error(`${JSON.stringify(rule.slice(0, 100))} is not a valid endpoint rule`);
  const space = rule.indexOf(' ');
  let path = rule.slice(space + 1);
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  // Empty segments are dropped, as the guard's canonical target drops them (request-target.ts).
  return { method: rule.slice(0, space).toUpperCase(), segments: path.split('/').filter((s) => s !== ''), text: rule };
}

/** Every endpoint: what an empty allowed list means. */
const EVERYTHING: Pattern = { method: '*', segments: ['**'], text: '* /**' };

function methodIncluded(inner: string, outer: string): boolean {
  return outer === '*' || inner === outer;
}

function methodsMayOverlap(a: string, b: string): boolean {
  if (a === '*' || b === '*' || a === b) return true;
  // HEAD is answered by the GET handler: never treat the two as apart.
  return (a === 'HEAD' || a === 'GET') && (b === 'HEAD' || b === 'GET');
}

/** Every request `inner` matches, `outer` matches too. */
export function patternIncluded(inner: Pattern, outer: Pattern): boolean {
  if (!methodIncluded(inner.method, outer.method)) return false;
  const p = inner.segments;
  const q = outer.segments;
  for (let i = 0; ; i++) {
    const qs = q[i];
    const ps = p[i];
    if (qs === '**') return true;
    if (ps === undefined || qs === undefined) return ps === undefined && qs === undefined;
    if (ps === '**') return false;
    if (qs === '*') continue; // matches any non-empty segment; ps (literal or '*') is never empty
    if (ps === '*' || ps !== qs) return false;
  }
}

function literalsMayMeet(a: string, b: string): boolean {
  return a.includes('%') || b.includes('%') || a.toLowerCase() === b.toLowerCase();
}

/** Some request may match both (false only when none can, however the guard spells paths). */
export function patternsMayOverlap(a: Pattern, b: Pattern): boolean {
  if (!methodsMayOverlap(a.method, b.method)) return false;
  for (let i = 0; ; i++) {
    const x = a.segments[i];
    const y = b.segments[i];
    if (x === '**' || y === '**') return true;
    if (x === undefined || y === undefined) return x === undefined && y === undefined;
    if (x === '*' || y === '*') continue;
    if (!literalsMayMeet(x, y)) return false;
  }
}

/**
 * The requests both match, as one pattern, or null when that cannot be written exactly (literals
 * that differ only in case or escapes) — callers then fall back to a stricter check.
 */
export function intersection(a: Pattern, b: Pattern): Pattern | null {
  let method: string;
  if (a.method === '*') method = b.method;
  else if (b.method === '*' || a.method === b.method) method = a.method;
  else return null;
  const segments: string[] = [];
  for (let i = 0; ; i++) {
    const x = a.segments[i];
    const y = b.segments[i];
    if (x === '**') {
      segments.push(...b.segments.slice(i));
      break;
    }
    if (y === '**') {
      segments.push(...a.segments.slice(i));
      break;
    }
    if (x === undefined || y === undefined) {
      if (x !== y) return null;
      break;
    }
    if (x === '*') segments.push(y);
    else if (y === '*' || x === y) segments.push(x);
    else return null;
  }
  return { method, segments, text: `${method} /${segments.join('/')}` };
}

export interface EndpointWidening {
  field: 'allowedEndpoints' | 'blockedEndpoints';
  message: string;
}

/**
 * Why the target reaches an endpoint the caller cannot (null when it reaches none). Reach =
 * (allowed, or every endpoint when empty) minus blocked. Sound, not complete: each piece of the
 * target's reach must sit inside one caller rule (or one of its own blocked rules), and where it
 * meets a rule the caller is blocked by, the target must block that meeting too.
 */
export function endpointWidening(
  caller: { allowedEndpoints: readonly string[]; blockedEndpoints: readonly string[] },
  target: { allowedEndpoints: readonly string[]; blockedEndpoints: readonly string[] },
): EndpointWidening | null {
  const callerAllowed = caller.allowedEndpoints.map(parsePattern);
  const callerBlocked = caller.blockedEndpoints.map(parsePattern);
  const targetBlocked = target.blockedEndpoints.map(parsePattern);
  const pieces = target.allowedEndpoints.length === 0 ? [EVERYTHING] : target.allowedEndpoints.map(parsePattern);
  const blockedByTarget = (p: Pattern) => targetBlocked.some((b) => patternIncluded(p, b));

  for (const piece of pieces) {
    if (blockedByTarget(piece)) continue;
    if (callerAllowed.length > 0 && !callerAllowed.some((a) => patternIncluded(piece, a))) {
      const what = target.allowedEndpoints.length === 0 ? 'allows every endpoint' : `allows ${piece.text}`;
      return {
        field: 'allowedEndpoints',
        message: `${what}, outside the caller's allowed endpoints (${caller.allowedEndpoints.join(', ')})`,
      };
    }
    for (const block of callerBlocked) {
      if (!patternsMayOverlap(piece, block)) continue;
      const meeting = intersection(piece, block);
      if (blockedByTarget(block) || (meeting !== null && blockedByTarget(meeting))) continue;
      return { field: 'blockedEndpoints', message: `would no longer block ${block.text}, which the caller is blocked from` };
    }
  }
  return null;
}
