import { createTestApp, type TestApp } from '../testing/test-app';
import { CONTENT_SECURITY_POLICY } from './security-headers';

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

  it('lets no script run inline and nothing load from another origin', () => {
    expect(CONTENT_SECURITY_POLICY['script-src']).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY['script-src-attr']).toEqual(["'none'"]);
    for (const sources of Object.values(CONTENT_SECURITY_POLICY)) {
      for (const source of sources) expect(source).toMatch(/^('self'|'none'|'unsafe-inline'|data:)$/);
    }
    expect(Object.keys(CONTENT_SECURITY_POLICY).filter((d) => CONTENT_SECURITY_POLICY[d]?.includes("'unsafe-inline'"))).toEqual(['style-src']);
  });
});
