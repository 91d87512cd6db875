import fc from 'fast-check';
import { compileAccessRules, decideAccess, type AccessRequest } from './access';
import { createEndpointMatcher, endpointRuleMatches } from './endpoints';
import { createIpMatcher } from './ip';
import { canonicalRequestTarget, canonicalSegment } from './request-target';

const ID = '3f2a9c1e-0b4d-4e8f-9a7b-1c2d3e4f5a6b';

describe('canonicalRequestTarget (examples)', () => {
  it('checks HEAD as GET and upper-cases the method', () => {
    expect(canonicalRequestTarget('HEAD', '/api/v1/audit')).toEqual({
      method: 'GET',
      path: '/api/v1/audit',
      segments: ['api', 'v1', 'audit'],
    });
    expect(canonicalRequestTarget('delete', '/x')?.method).toBe('DELETE');
  });

  it('lower-cases the path, so an upper-case id is the same id', () => {
    expect(canonicalRequestTarget('DELETE', `/api/v1/tokens/${ID.toUpperCase()}`)?.path).toBe(
      `/api/v1/tokens/${ID}`,
    );
  });

  it('decodes escapes and writes one spelling back', () => {
    expect(canonicalRequestTarget('GET', '/api/v1/%74okens')?.path).toBe('/api/v1/tokens');
    expect(canonicalRequestTarget('GET', '/a%2fb/%41%3a%40')?.path).toBe('/a%2Fb/a:@');
    expect(canonicalRequestTarget('GET', '/a%20b/%C3%89')?.path).toBe('/a%20b/%C3%A9');
    expect(canonicalRequestTarget('GET', '/%2A')?.path).toBe('/%2A');
    expect(canonicalRequestTarget('GET', '/%25')?.path).toBe('/%25');
  });

  it('ignores the query, a fragment, // and a trailing slash', () => {
    expect(canonicalRequestTarget('GET', '//api//v1/tokens/?q=/x#y')?.path).toBe('/api/v1/tokens');
    expect(canonicalRequestTarget('GET', '/api/v1/tokens#/../x')?.path).toBe('/api/v1/tokens');
    expect(canonicalRequestTarget('GET', '/')?.path).toBe('/');
    expect(canonicalRequestTarget('GET', '///')?.segments).toEqual([]);
  });

  it.each([
    ['absolute form', `http://tessera.test/api/v1/tokens/${ID}`],
    ['absolute form (https)', 'https://h/api/v1/audit'],
    ['a target without a leading slash', 'api/v1/tokens'],
    ['the asterisk form', '*'],
    ['an empty target', ''],
    ['a dot segment', '/api/v1/./tokens'],
    ['a dot-dot segment', '/api/v1/x/../tokens'],
    ['an encoded dot segment', '/api/v1/%2e%2E/tokens'],
    ['a bad escape', '/api/v1/%zz'],
    ['an escape that is not UTF-8', '/api/v1/%C3'],
    ['a truncated escape', '/api/v1/%4'],
    ['a path parameter (;)', `/api/v1/tokens/${ID};x=1`],
  ])('cannot parse %s', (_what, url) => {
    expect(canonicalRequestTarget('GET', url)).toBeNull();
  });

  it('cannot parse a method that is not a token', () => {
    expect(canonicalRequestTarget('', '/x')).toBeNull();
    expect(canonicalRequestTarget('G T', '/x')).toBeNull();
  });
});

// ---- properties --------------------------------------------------------------------------

/** Characters a path segment may hold once decoded (no '/', which would be a separator). */
const segmentChar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...'abcdefxyzABCXYZ0123456789-._~') },
  { weight: 2, arbitrary: fc.constantFrom(...'!$&\'()*+,;=:@%?#[] "<>') }, // ';' only escaped: MUST_ESCAPE
  { weight: 1, arbitrary: fc.constantFrom('é', 'É', 'ß', 'ж', 'Ж', '😀') },
);
/** A decoded segment: not empty, not a dot segment. */
const decodedSegment = fc
  .array(segmentChar, { minLength: 1, maxLength: 8 })
  .map((cs) => cs.join(''))
  .filter((s) => s !== '.' && s !== '..');

function percentEncode(ch: string, lowerHex: boolean): string {
  let out = '';
  for (const b of new TextEncoder().encode(ch)) {
    const hex = b.toString(16).padStart(2, '0');
    out += `%${lowerHex ? hex : hex.toUpperCase()}`;
  }
  return out;
}

/** Characters that must be escaped to stay inside one segment of the path. */
const MUST_ESCAPE = /[^A-Za-z0-9\-._~!$&'()*+,=:@]/;

/**
 * One spelling of a decoded segment, driven by a seed: each character kept (when that is allowed),
 * percent-encoded with either hex case, and letters' case flipped.
 */
function spell(segment: string, choices: number[]): string {
  let out = '';
  let i = 0;
  for (const ch of segment) {
    const c = choices[i++ % choices.length] ?? 0;
    const cased = c & 4 ? (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase()) : ch;
    // toUpperCase may change a character's length (ß → SS): keep it as it was then.
    const letter = cased.toLowerCase() === ch.toLowerCase() ? cased : ch;
    if (MUST_ESCAPE.test(letter) || c & 1) out += percentEncode(letter, (c & 2) !== 0);
    else out += letter;
  }
  return out;
}

const spelling = fc.record({
  choices: fc.array(fc.nat(7), { minLength: 1, maxLength: 16 }),
  doubleSlashes: fc.array(fc.boolean(), { maxLength: 8 }),
  leadingDouble: fc.boolean(),
  trailingSlash: fc.boolean(),
  tail: fc.constantFrom('', '?', '?a=1', '?x=/../%zz', '#frag', '#/../'),
  head: fc.boolean(),
});

type Spelling = typeof spelling extends fc.Arbitrary<infer T> ? T : never;

function spellPath(segments: string[], s: Spelling): string {
  let out = s.leadingDouble ? '/' : '';
  segments.forEach((seg, i) => {
    out += s.doubleSlashes[i] ? '//' : '/';
    out += spell(seg, s.choices.slice(i));
  });
  if (segments.length === 0) out = '/';
  if (s.trailingSlash) out += '/';
  return out + s.tail;
}

const route = fc.array(decodedSegment, { maxLength: 5 });

describe('canonicalRequestTarget (properties)', () => {
  it('maps every spelling the router treats as the same route to the same target', () => {
    fc.assert(
      fc.property(route, spelling, spelling, (segments, a, b) => {
        const ta = canonicalRequestTarget(a.head ? 'HEAD' : 'GET', spellPath(segments, a));
        const tb = canonicalRequestTarget(b.head ? 'HEAD' : 'get', spellPath(segments, b));
        expect(ta).not.toBeNull();
        expect(ta).toEqual(tb);
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps routes apart that differ in more than case and spelling', () => {
    fc.assert(
      fc.property(route, route, spelling, (x, y, s) => {
        const differ =
          x.length !== y.length || x.some((seg, i) => seg.toLowerCase() !== y[i]?.toLowerCase());
        fc.pre(differ);
        const tx = canonicalRequestTarget('GET', spellPath(x, s));
        const ty = canonicalRequestTarget('GET', spellPath(y, s));
        expect(tx?.path).not.toBe(ty?.path);
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent: a canonical target is its own canonical form', () => {
    fc.assert(
      fc.property(route, spelling, (segments, s) => {
        const t = canonicalRequestTarget('HEAD', spellPath(segments, s));
        expect(t).not.toBeNull();
        if (t) expect(canonicalRequestTarget(t.method, t.path)).toEqual(t);
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes back to the lower-cased segments', () => {
    fc.assert(
      fc.property(route, spelling, (segments, s) => {
        const t = canonicalRequestTarget('GET', spellPath(segments, s));
        expect(t?.segments.map((c) => decodeURIComponent(c))).toEqual(
          segments.map((g) => g.toLowerCase()),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses absolute form, dot segments and targets not starting with / however spelled', () => {
    const dot = fc.constantFrom('.', '..', '%2e', '%2E', '.%2e', '%2E%2e', '%2e.');
    fc.assert(
      fc.property(
        route,
        route,
        dot,
        fc.constantFrom('http://h', 'https://h:1', 'HTTP://H', ''),
        (a, b, d, prefix) => {
          const path = `/${[...a.map(encodeURIComponent), d, ...b.map(encodeURIComponent)].join('/')}`;
          expect(canonicalRequestTarget('GET', path)).toBeNull();
          const plain = `/${a.map(encodeURIComponent).join('/')}`;
          if (prefix) expect(canonicalRequestTarget('GET', `${prefix}${plain}`)).toBeNull();
          expect(canonicalRequestTarget('GET', plain.slice(1) || 'x')).toBeNull();
        },
      ),
      { numRuns: 1000 },
    );
  });
});

/** A rule literal spelled from a decoded segment (rules accept only pchar, so escape the rest). */
function ruleLiteral(segment: string, choices: number[]): string {
  return spell(segment, choices).replace(/\*/g, '%2A');
}

describe('endpoint rules against canonical targets (properties)', () => {
  it('match every spelling of the route they name, in any case, HEAD included', () => {
    fc.assert(
      fc.property(
        route,
        fc.array(fc.nat(7), { minLength: 1 }),
        spelling,
        fc.constantFrom('GET', 'HEAD', 'get', '*'),
        (segments, ruleChoices, s, ruleMethod) => {
          const rule = `${ruleMethod} /${segments.map((g, i) => ruleLiteral(g, ruleChoices.slice(i))).join('/')}`;
          const path = spellPath(segments, s);
          expect(endpointRuleMatches(rule, s.head ? 'HEAD' : 'GET', path)).toBe(true);
          expect(createEndpointMatcher([rule]).matches(s.head ? 'head' : 'GET', path)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('with * and ** match every spelling of every route under them', () => {
    fc.assert(
      fc.property(route, decodedSegment, route, spelling, (prefix, one, rest, s) => {
        const lit = prefix.map((g) => ruleLiteral(g, [0])).join('/');
        const base = lit ? `/${lit}` : '';
        expect(
          endpointRuleMatches(`DELETE ${base}/*`, 'DELETE', spellPath([...prefix, one], s)),
        ).toBe(true);
        expect(
          endpointRuleMatches(`* ${base}/**`, 'POST', spellPath([...prefix, ...rest], s)),
        ).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('decideAccess with endpoint rules (properties)', () => {
  const request = (method: string, path: string): AccessRequest => ({
    method,
    path,
    ip: '192.0.2.1',
    origin: null,
    requiredPermission: null,
    now: new Date('2030-01-01T00:00:00Z'),
  });
  const subject = (rules: { blockedEndpoints?: string[]; allowedEndpoints?: string[] }) => ({
    active: true,
    revokedAt: null,
    validFrom: null,
    validTo: null,
    rules: compileAccessRules({ permissions: ['*:*'], ...rules }),
  });
  const noOrgList = createIpMatcher([]);

  it('a blocked route is refused however the request spells it', () => {
    fc.assert(
      fc.property(route, spelling, fc.constantFrom('GET', 'HEAD'), (segments, s, method) => {
        const rule = `GET /${segments.map((g) => ruleLiteral(g, [0])).join('/')}`;
        const d = decideAccess(
          subject({ blockedEndpoints: [rule] }),
          request(method, spellPath(segments, s)),
          noOrgList,
        );
        expect(d.allowed).toBe(false);
        if (!d.allowed) expect(d.reason).toBe('endpoint_blocked');
      }),
      { numRuns: 1000 },
    );
  });

  it('an allowed route is reached by every spelling of it', () => {
    fc.assert(
      fc.property(route, spelling, (segments, s) => {
        const rule = `GET /${segments.map((g) => ruleLiteral(g, [0])).join('/')}`;
        const d = decideAccess(
          subject({ allowedEndpoints: [rule] }),
          request(s.head ? 'HEAD' : 'GET', spellPath(segments, s)),
          noOrgList,
        );
        expect(d.allowed).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('a target that cannot be parsed is refused whenever an endpoint rule exists, and only then', () => {
    const unparseable = fc.constantFrom(
      `http://h/api/v1/tokens/${ID}`,
      'api/v1/tokens',
      '/api/v1/./tokens',
      '/api/v1/%2e%2e/tokens',
      '/api/%zz',
      '*',
    );
    const someRule = fc.constantFrom('GET /unrelated', 'DELETE /api/v1/**', '* /**');
    fc.assert(
      fc.property(unparseable, someRule, fc.boolean(), (path, rule, blocked) => {
        const rules = blocked ? { blockedEndpoints: [rule] } : { allowedEndpoints: [rule] };
        const d = decideAccess(subject(rules), request('DELETE', path), noOrgList);
        expect(d.allowed).toBe(false);
        if (!d.allowed)
          expect(d.reason).toBe(blocked ? 'endpoint_blocked' : 'endpoint_not_allowed');
        expect(decideAccess(subject({}), request('DELETE', path), noOrgList).allowed).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('the attacks of issue 9 are refused', () => {
    const deleteAll = subject({ blockedEndpoints: ['DELETE /api/v1/**'] });
    expect(
      decideAccess(deleteAll, request('DELETE', `http://host/api/v1/tokens/${ID}`), noOrgList)
        .allowed,
    ).toBe(false);
    const oneId = subject({ blockedEndpoints: [`DELETE /api/v1/tokens/${ID}`] });
    expect(
      decideAccess(oneId, request('DELETE', `/api/v1/tokens/${ID.toUpperCase()}`), noOrgList)
        .allowed,
    ).toBe(false);
    const audit = subject({ blockedEndpoints: ['GET /api/v1/audit'] });
    expect(decideAccess(audit, request('HEAD', '/api/v1/audit'), noOrgList).allowed).toBe(false);
  });
});

describe('canonicalSegment', () => {
  it('never yields a bare * (so a literal can never act as a wildcard)', () => {
    fc.assert(
      fc.property(decodedSegment, (s) => {
        const c = canonicalSegment(encodeURIComponent(s));
        expect(c).not.toBe('*');
        expect(c).not.toBe('**');
      }),
    );
  });
});
