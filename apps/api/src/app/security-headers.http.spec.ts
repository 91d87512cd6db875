import { createTestApp, type TestApp } from '../testing/test-app';
import helmet from 'helmet';
import { CONTENT_SECURITY_POLICY, HELMET_OPTIONS, SECURITY_HEADERS } from './security-headers';

/** Issue 9.7: the console and the api's answers carry the safe headers (the console itself: apps/admin-e2e). */
describe('security headers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends the CSP, X-Frame-Options DENY and Referrer-Policy no-referrer with JSON answers, errors included', async () => {
    for (const res of [await t.http.get('/api/v1/health/live'), await t.http.get('/api/v1/auth/me'), await t.http.get('/api/v1/no-such-route')]) {
      const csp = res.headers['content-security-policy'] ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'self'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).not.toContain('unsafe-eval');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('sends them too on the 400 of a target the router cannot decode and on a 400 of the target hook', async () => {
    for (const res of [await t.http.get('/api/v1/%zz'), await t.http.get('/api/v1/./auth/me')]) {
      expect(res.status).toBe(400);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers[name]).toBe(value);
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it("computes, once, exactly the headers that helmet's own middleware sets with the same options", () => {
    const set = new Map<string, string>();
    helmet(HELMET_OPTIONS)({} as never, { setHeader: (n: string, v: string) => set.set(n.toLowerCase(), v), removeHeader: (n: string) => set.delete(n.toLowerCase()) } as never, () => undefined);
    expect(SECURITY_HEADERS).toEqual(Object.fromEntries(set));
    expect(Object.keys(SECURITY_HEADERS).length).toBeGreaterThanOrEqual(10);
    expect(Object.isFrozen(SECURITY_HEADERS)).toBe(true);
  });

  it('lets no script run inline and nothing load from another origin', () => {
    expect(CONTENT_SECURITY_POLICY['script-src']).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY['script-src-attr']).toEqual(["'none'"]);
    for (const sources of Object.values(CONTENT_SECURITY_POLICY)) {
      for (const source of sources) expect(source).toMatch(/^('self'|'none'|'unsafe-inline'|data:)$/);
    }
    expect(Object.keys(CONTENT_SECURITY_POLICY).filter((d) => CONTENT_SECURITY_POLICY[d]?.includes("'unsafe-inline'"))).toEqual(['style-src']);
  });
});
