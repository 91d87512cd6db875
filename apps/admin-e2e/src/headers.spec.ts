import { expect, test } from '@playwright/test';
import { baseUrl, watchCspViolations } from './fixtures';

/**
 * Issue 9.7: the console is served with a Content-Security-Policy, cannot be framed and sends no
 * Referer. (console.spec.ts fails on any CSP violation while it drives the console.)
 */
test('serves the console with the CSP, X-Frame-Options DENY and Referrer-Policy no-referrer', async ({ request }) => {
  for (const path of ['/', '/tokens', '/login']) {
    const res = await request.get(`${baseUrl()}${path}`);
    expect(res.status()).toBe(200);
    const headers = res.headers();
    const csp = headers['content-security-policy'] ?? '';
    for (const directive of ["default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "script-src 'self';"]) {
      expect(csp).toContain(directive);
    }
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['referrer-policy']).toBe('no-referrer');
  }
});

test('cannot be framed by another page', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  let consoleLoaded = false;
  page.on('response', (res) => {
    if (res.url().startsWith(baseUrl()) && res.request().resourceType() === 'script') consoleLoaded = true;
  });
  await page.setContent(`<iframe title="framed console" src="${baseUrl()}/" width="800" height="600"></iframe>`);
  await page.waitForTimeout(1500);
  const frame = page.frames().find((f) => f !== page.mainFrame());
  // The browser refuses to render it: no console script is fetched and the frame shows no app.
  expect(consoleLoaded).toBe(false);
  expect(await frame?.locator('app-root').count().catch(() => 0)).toBe(0);
  await context.close();
});

test('the violation watch sees a blocked inline script (so an empty list means something)', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: baseUrl() });
  const violations = await watchCspViolations(context);
  const page = await context.newPage();
  await page.goto('/login');
  await page.addScriptTag({ content: 'window.__inlineRan = true;' }).catch(() => undefined);
  await expect.poll(() => violations.length).toBeGreaterThan(0);
  expect(await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan)).toBeUndefined();
  await context.close();
});

test('renders Swagger UI under the same policy without a violation', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: baseUrl() });
  const violations = await watchCspViolations(context);
  const page = await context.newPage();
  await page.goto('/api/docs');
  await expect(page.getByRole('heading', { name: /Tessera API/ })).toBeVisible();
  expect(violations).toEqual([]);
  await context.close();
});
