import type { BrowserContext, Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const ADMIN_EMAIL = 'admin@e2e.tessera.test';
export const ADMIN_PASSWORD = 'e2e-correct-horse-battery';

export function baseUrl(): string {
  const base = process.env['E2E_BASE_URL'];
  if (!base) throw new Error('E2E_BASE_URL is not set (global-setup starts the api)');
  return base;
}

const SHOTS = join(__dirname, '..', 'screenshots');

/** Saves a full-page screenshot of a main screen under apps/admin-e2e/screenshots/. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  // Let Material animations (drawer, dialog, ripple) settle.
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/**
 * Collects every Content-Security-Policy violation in `context`: the page's
 * `securitypolicyviolation` events (through a binding installed before any page script runs) and
 * Chromium's console errors about the policy. Tests assert the list stays empty (issue 9.7).
 */
export async function watchCspViolations(context: BrowserContext): Promise<string[]> {
  const violations: string[] = [];
  await context.exposeBinding('__tesseraCspViolation', (_source, text: string) => {
    violations.push(text);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { __tesseraCspViolation?: (t: string) => void }).__tesseraCspViolation;
      report?.(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  context.on('console', (message) => {
    if (message.type() === 'error' && /Content.Security.Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}
