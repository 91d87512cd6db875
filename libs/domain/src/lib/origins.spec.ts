import { createOriginMatcher, isValidOriginRule, originRuleMatches } from './origins';

describe('isValidOriginRule', () => {
  it.each([
    'https://app.example.com',
    'https://*.example.com',
    'https://app.example.com:8443',
    'http://localhost:4200',
    'http://127.0.0.1:8080',
    'HTTPS://App.Example.COM',
    'https://xn--bcher-kva.example',
  ])('accepts %s', (rule) => {
    expect(isValidOriginRule(rule)).toBe(true);
  });

  it.each([
    '',
    '*',
    'app.example.com',
    'ftp://example.com',
    'https://',
    'https://example.com/',
    'https://example.com/path',
    'https://*.',
    'https://*',
    'https://*.com',
    'https://a.*.example.com',
    'https://*example.com',
    'https://**.example.com',
    'https://example.com:0',
    'https://example.com:65536',
    'https://example.com:08080',
    'https://exa mple.com',
    'https://-bad.example.com',
    'https://user@example.com',
    `https://${'a'.repeat(300)}.com`,
  ])('rejects %j', (rule) => {
    expect(isValidOriginRule(rule)).toBe(false);
  });
});

describe('originRuleMatches', () => {
  it('matches an exact origin, case-insensitively', () => {
    expect(originRuleMatches('https://app.example.com', 'https://app.example.com')).toBe(true);
    expect(originRuleMatches('https://app.example.com', 'https://APP.example.com')).toBe(true);
    expect(originRuleMatches('https://app.example.com', 'https://other.example.com')).toBe(false);
  });

  it('requires the same scheme', () => {
    expect(originRuleMatches('https://app.example.com', 'http://app.example.com')).toBe(false);
  });

  it('compares ports, with the default port implied', () => {
    expect(originRuleMatches('https://app.example.com', 'https://app.example.com:443')).toBe(true);
    expect(originRuleMatches('https://app.example.com:443', 'https://app.example.com')).toBe(true);
    expect(originRuleMatches('https://app.example.com', 'https://app.example.com:8443')).toBe(
      false,
    );
    expect(originRuleMatches('http://localhost:4200', 'http://localhost:4200')).toBe(true);
    expect(originRuleMatches('http://localhost:4200', 'http://localhost')).toBe(false);
  });

  it('lets *. stand for exactly one label', () => {
    expect(originRuleMatches('https://*.example.com', 'https://a.example.com')).toBe(true);
    expect(originRuleMatches('https://*.example.com', 'https://example.com')).toBe(false);
    expect(originRuleMatches('https://*.example.com', 'https://a.b.example.com')).toBe(false);
    expect(originRuleMatches('https://*.example.com', 'https://evilexample.com')).toBe(false);
    expect(originRuleMatches('https://*.example.com', 'https://a.example.com.evil.net')).toBe(
      false,
    );
  });

  it('matches nothing for null, garbage or an invalid rule', () => {
    expect(originRuleMatches('https://app.example.com', 'null')).toBe(false);
    expect(originRuleMatches('https://app.example.com', '')).toBe(false);
    expect(originRuleMatches('https://app.example.com', 'https://app.example.com/')).toBe(false);
    expect(originRuleMatches('garbage', 'https://app.example.com')).toBe(false);
  });
});

describe('createOriginMatcher', () => {
  it('matches when any rule matches', () => {
    const m = createOriginMatcher(['https://app.example.com', 'https://*.example.org']);
    expect(m.size).toBe(2);
    expect(m.matches('https://app.example.com')).toBe(true);
    expect(m.matches('https://x.example.org')).toBe(true);
    expect(m.matches('https://x.example.net')).toBe(false);
  });

  it('matches nothing when empty and throws on an invalid rule', () => {
    expect(createOriginMatcher([]).matches('https://a.com')).toBe(false);
    expect(() => createOriginMatcher(['nope'])).toThrow('"nope" is not a valid origin rule');
  });
});
