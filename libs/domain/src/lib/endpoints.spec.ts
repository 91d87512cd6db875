import fc from 'fast-check';
import {
  HTTP_METHODS,
  createEndpointMatcher,
  endpointRuleMatches,
  isValidEndpointRule,
} from './endpoints';

describe('isValidEndpointRule', () => {
  it.each([
    'GET /api/v1/tokens',
    'get /api/v1/tokens',
    '* /api/v1/tokens',
    'DELETE /api/v1/tokens/*',
    'GET /api/v1/**',
    '* /**',
    'GET /',
    'POST /api/v1/tokens/*/regenerate',
    'GET /a/b%20c/:id/@x',
    ...HTTP_METHODS.map((m) => `${m} /x`),
  ])('accepts %s', (rule) => {
    expect(isValidEndpointRule(rule)).toBe(true);
  });

  it.each([
    '',
    'GET',
    '/api/v1/tokens',
    'FETCH /x',
    'GET api/v1',
    'GET  /x',
    'GET /x ',
    ' GET /x',
    'GET /**/tokens',
    'GET /to*ens',
    'GET /a/***',
    'GET /a b',
    'GET /a?b=1',
    'GET /a#b',
    'GET /a/%zz',
    'GET /a/%C3',
    'GET /a/./b',
    'GET /a/../b',
    'GET /a/%2e%2E',
    'GET /a;b',
    `GET /${'a'.repeat(400)}`,
  ])('rejects %j', (rule) => {
    expect(isValidEndpointRule(rule)).toBe(false);
  });
});

describe('endpointRuleMatches (examples)', () => {
  it('matches the method exactly, or any with *', () => {
    expect(endpointRuleMatches('GET /x', 'GET', '/x')).toBe(true);
    expect(endpointRuleMatches('GET /x', 'get', '/x')).toBe(true);
    expect(endpointRuleMatches('GET /x', 'POST', '/x')).toBe(false);
    expect(endpointRuleMatches('* /x', 'PATCH', '/x')).toBe(true);
  });

  it('checks HEAD as GET, both in requests and in rules (the router answers HEAD with the GET handler)', () => {
    expect(endpointRuleMatches('GET /x', 'HEAD', '/x')).toBe(true);
    expect(endpointRuleMatches('HEAD /x', 'GET', '/x')).toBe(true);
    expect(endpointRuleMatches('HEAD /x', 'POST', '/x')).toBe(false);
  });

  it('lets * stand for exactly one non-empty segment', () => {
    expect(endpointRuleMatches('GET /tokens/*', 'GET', '/tokens/123')).toBe(true);
    expect(endpointRuleMatches('GET /tokens/*', 'GET', '/tokens')).toBe(false);
    expect(endpointRuleMatches('GET /tokens/*', 'GET', '/tokens/1/2')).toBe(false);
    expect(endpointRuleMatches('GET /tokens/*', 'GET', '/tokens//')).toBe(false);
    expect(endpointRuleMatches('GET /tokens/*', 'GET', '/tokens//x')).toBe(true);
    expect(endpointRuleMatches('POST /tokens/*/revoke', 'POST', '/tokens/abc/revoke')).toBe(true);
  });

  it('lets a final ** stand for the rest, including nothing', () => {
    expect(endpointRuleMatches('GET /api/**', 'GET', '/api/v1/tokens/1')).toBe(true);
    expect(endpointRuleMatches('GET /api/**', 'GET', '/api')).toBe(true);
    expect(endpointRuleMatches('GET /api/**', 'GET', '/apix')).toBe(false);
    expect(endpointRuleMatches('* /**', 'DELETE', '/')).toBe(true);
  });

  it('ignores the query string and a trailing slash', () => {
    expect(endpointRuleMatches('GET /tokens', 'GET', '/tokens?page=2')).toBe(true);
    expect(endpointRuleMatches('GET /tokens', 'GET', '/tokens/')).toBe(true);
    expect(endpointRuleMatches('GET /tokens/', 'GET', '/tokens')).toBe(true);
    expect(endpointRuleMatches('GET /', 'GET', '/')).toBe(true);
  });

  it('compares paths case-insensitively and decodes escapes on both sides', () => {
    expect(endpointRuleMatches('GET /tokens', 'GET', '/Tokens')).toBe(true);
    expect(endpointRuleMatches('GET /TOKENS', 'GET', '/tokens')).toBe(true);
    expect(
      endpointRuleMatches(
        'DELETE /t/3f2a9c1e-0b4d-4e8f-9a7b-1c2d3e4f5a6b',
        'DELETE',
        '/t/3F2A9C1E-0B4D-4E8F-9A7B-1C2D3E4F5A6B',
      ),
    ).toBe(true);
    expect(endpointRuleMatches('DELETE /tokens/*', 'DELETE', '/%74okens/1')).toBe(true);
    expect(endpointRuleMatches('GET /%61', 'GET', '/a')).toBe(true);
    expect(endpointRuleMatches('GET /a%3Ab', 'GET', '/a:b')).toBe(true);
    expect(endpointRuleMatches('GET /a%2Fb', 'GET', '/a%2fb')).toBe(true);
    expect(endpointRuleMatches('GET /a%2Fb', 'GET', '/a/b')).toBe(false);
    expect(endpointRuleMatches('GET /%2A', 'GET', '/x')).toBe(false);
    expect(endpointRuleMatches('GET /%2A', 'GET', '/*')).toBe(true);
  });

  it('ignores // in requests and rules alike', () => {
    expect(endpointRuleMatches('GET /a/b', 'GET', '//a//b//')).toBe(true);
    expect(endpointRuleMatches('GET /a//b', 'GET', '/a/b')).toBe(true);
  });

  it('matches nothing with an invalid rule or path', () => {
    expect(endpointRuleMatches('garbage', 'GET', '/x')).toBe(false);
    expect(endpointRuleMatches('GET /x', 'GET', 'x')).toBe(false);
    expect(endpointRuleMatches('GET /x', 'GET', '')).toBe(false);
  });
});

// Model: glob over segments, '*' = one non-empty segment, '**' = zero or more (last only).
function modelMatch(rule: string[], path: string[]): boolean {
  if (rule.length === 0) return path.length === 0;
  const [head, ...rest] = rule as [string, ...string[]];
  if (head === '**') return true;
  if (path.length === 0) return false;
  const [p, ...pathRest] = path as [string, ...string[]];
  if (head === '*' ? p === '' : head !== p) return false;
  return modelMatch(rest, pathRest);
}

const seg = fc.constantFrom('a', 'b', 'tokens', '1');
const arbRule = fc
  .record({
    method: fc.constantFrom('GET', 'POST', '*'),
    segments: fc.array(fc.oneof(seg, fc.constant('*')), { maxLength: 4 }),
    rest: fc.boolean(),
  })
  .map(({ method, segments, rest }) => {
    const all = rest ? [...segments, '**'] : segments;
    return { text: `${method} /${all.join('/')}`, method, segments: all };
  });
const arbRequest = fc.record({
  method: fc.constantFrom('GET', 'POST', 'get'),
  segments: fc.array(seg, { maxLength: 5 }),
});

describe('endpoint matching (properties)', () => {
  it('agrees with a segment glob model', () => {
    fc.assert(
      fc.property(arbRule, arbRequest, (rule, req) => {
        const path = `/${req.segments.join('/')}`;
        const expected =
          (rule.method === '*' || rule.method === req.method.toUpperCase()) &&
          modelMatch(rule.segments, req.segments);
        expect(endpointRuleMatches(rule.text, req.method, path)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives a compiled matcher the answer of its rules taken one by one', () => {
    fc.assert(
      fc.property(fc.array(arbRule, { maxLength: 5 }), arbRequest, (rules, req) => {
        const path = `/${req.segments.join('/')}`;
        const m = createEndpointMatcher(rules.map((r) => r.text));
        expect(m.size).toBe(rules.length);
        expect(m.matches(req.method, path)).toBe(
          rules.some((r) => endpointRuleMatches(r.text, req.method, path)),
        );
      }),
      { numRuns: 1000 },
    );
  });
});

describe('createEndpointMatcher', () => {
  it('matches nothing when empty', () => {
    expect(createEndpointMatcher([]).matches('GET', '/x')).toBe(false);
    expect(createEndpointMatcher([]).size).toBe(0);
  });

  it('throws on an invalid rule, naming it', () => {
    expect(() => createEndpointMatcher(['GET /ok', 'FETCH /x'])).toThrow(
      '"FETCH /x" is not a valid endpoint rule',
    );
  });
});
