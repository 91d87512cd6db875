import AxeBuilder from '@axe-core/playwright';
import { type BrowserContext, type Page, expect } from '@playwright/test';
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

/** Impacts that fail a test; moderate and minor findings are reported by axe but not enforced, except `region`. */
const FAILING_IMPACTS = new Set(['serious', 'critical']);
/** Enforced whatever their impact: page content belongs in landmarks (issue 17.3). */
const FAILING_RULES = new Set(['region']);

/**
 * Runs axe-core (WCAG 2.x A/AA rules and best practices) on what the page shows now — the screen,
 * an open dialog, drawer or menu — and fails on any serious or critical violation, or content
 * outside landmarks, naming the rule and the elements. A popup that floats over the page in the
 * CDK overlay (a menu, a select's options) is not a page region, so `region` skips what lies in it;
 * dialogs count as regions for axe anyway.
 */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  // Let Material animations (drawer, dialog, ripple) settle, so axe sees the final colours.
  await page.waitForTimeout(300);
  const results = await new AxeBuilder({ page }).analyze();
  const report: string[] = [];
  for (const v of results.violations) {
    if (!FAILING_IMPACTS.has(v.impact ?? '') && !FAILING_RULES.has(v.id)) continue;
    const nodes: string[] = [];
    for (const n of v.nodes) {
      const selector = n.target.join(' ');
      if (v.id === 'region' && (await inOverlay(page, selector))) continue;
      nodes.push(selector);
    }
    if (nodes.length) report.push(`${v.impact} ${v.id}: ${v.help} — ${nodes.join(', ')}`);
  }
  expect(report, `axe-core on ${where}`).toEqual([]);
}

async function inOverlay(page: Page, selector: string): Promise<boolean> {
  return page.locator(selector).first().evaluate((el) => el.closest('.cdk-overlay-container') !== null).catch(() => false);
}
