import { originRuleMatches } from './origins';

/**
 * Does one of `outer` match every origin `inner` matches? An exact rule is itself an origin, so
 * it is covered when some outer rule matches it; `https://*.example.com` is covered when some
 * outer rule matches `https://<a label no outer rule names>.example.com`, which only a wildcard
 * over the same parent (same scheme and port) does. `originRuleMatches` is the judge both ways.
 */
export function originRuleCovered(outer: readonly string[], inner: string): boolean {
  const rule = inner.toLowerCase();
  if (!rule.includes('://*.')) return outer.some((o) => originRuleMatches(o, rule));
  const names = outer.join(' ').toLowerCase();
  let label = 'x0';
  for (let n = 1; names.includes(label); n++) label = `x${n}`;
  const sample = rule.replace('://*.', `://${label}.`);
  return outer.some((o) => originRuleMatches(o, sample));
}

export interface OriginWidening {
  field: 'allowedOrigins';
  message: string;
}

/** Why the target's allowed origins reach beyond the caller's (null when they do not). Empty = any origin. */
export function originWidening(caller: readonly string[], target: readonly string[]): OriginWidening | null {
  if (caller.length === 0) return null;
  if (target.length === 0) {
    return { field: 'allowedOrigins', message: `allows any origin, the caller is held to ${caller.join(', ')}` };
  }
  const wider = target.filter((rule) => !originRuleCovered(caller, rule));
  if (wider.length === 0) return null;
  return { field: 'allowedOrigins', message: `${wider.join(', ')} outside the caller's allowed origins (${caller.join(', ')})` };
}
