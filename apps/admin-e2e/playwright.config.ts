import { defineConfig } from '@playwright/test';
import { join } from 'node:path';
import { browserEnv, RESOLVED_PATH_VAR, RESOLVED_SOURCE_VAR } from './src/chromium';

const here = __dirname;

/**
 * Drives the console in a real Chromium against the built api (node dist/apps/api/main.js),
 * started by global-setup on a free 127.0.0.1 port with a fresh embedded PostgreSQL.
 * global-setup also picks the browser (see src/chromium.ts) and hands its path to the
 * workers through the environment.
 */
export default defineConfig({
  testDir: join(here, 'src'),
  outputDir: join(here, 'test-results'),
  globalSetup: join(here, 'src/global-setup.ts'),
  fullyParallel: false,
  workers: 1,
  // Serial tests share one page and one server: a retry would start again from a changed
  // state and fail for that reason, hiding the first failure.
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { outputFolder: join(here, 'playwright-report'), open: 'never' }]],
  use: {
    baseURL: process.env['E2E_BASE_URL'],
    viewport: { width: 1280, height: 800 },
    actionTimeout: 10_000,
    navigationTimeout: 20_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env[RESOLVED_PATH_VAR],
      env: browserEnv(process.env[RESOLVED_SOURCE_VAR]),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    },
  },
});
