import type { Page } from '@playwright/test';
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
