import { APIRequestContext, Browser, Page, expect, request, test } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, baseUrl, watchCspViolations } from './fixtures';

/**
 * The seed documents' flows in the token drawer: the "CLI developer" preset (seed 002), the GUID
 * shown before saving (seed 004), Test access while creating (SPEC §7), and the list details.
 */
// Long walks through the drawer: room for a busy machine.
test.describe.configure({ mode: 'serial', timeout: 180_000 });

let page: Page;
let api: APIRequestContext;
let cspViolations: string[] = [];

async function secretFromDialog(): Promise<string> {
  const dialog = page.getByRole('dialog', { name: /Token created/ });
  const secret = await dialog.getByRole('textbox', { name: 'Token secret' }).inputValue();
  await dialog.getByRole('checkbox', { name: 'I have copied this token' }).check();
  await dialog.getByRole('button', { name: 'Close' }).click();
  return secret;
}

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  const context = await browser.newContext({ baseURL: baseUrl(), viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl() });
  cspViolations = await watchCspViolations(context);
  page = await context.newPage();
  api = await request.newContext({ baseURL: baseUrl() });
  await page.goto('/login');
  await page.getByLabel('Email').fill(ADMIN_EMAIL);
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'API tokens' })).toBeVisible();
});

test.afterEach(() => {
  expect(cspViolations, 'Content-Security-Policy violations in the console').toEqual([]);
});

test.afterAll(async () => {
  await api.dispose();
  await page.context().close();
});

test('the CLI developer preset grants every cli action, the one PERMISSIONS_FILE added included', async () => {
  await page.getByRole('button', { name: 'Add token' }).click();
  const drawer = page.getByRole('dialog', { name: 'New API token' });
  await drawer.getByLabel('Name').fill('cli-laptop');
  await drawer.getByRole('combobox', { name: 'Role' }).click();
  await page.getByRole('option', { name: 'CLI developer' }).click();
  const effective = drawer.getByRole('listbox', { name: 'Effective permissions' }).or(drawer.locator('mat-chip-set[aria-labelledby="tf-effective"]'));
  for (const p of ['tokens:read', 'tokens:write', 'roles:read', 'audit:read', 'deploys:push']) {
    await expect(effective.getByText(p, { exact: true })).toBeVisible();
  }
  await expect(effective.getByText('deploys:read', { exact: true })).toHaveCount(0);
  await drawer.getByRole('button', { name: 'Generate token' }).click();
  const secret = await secretFromDialog();
  const me = await api.get('/api/v1/auth/me', { headers: { Authorization: `Bearer ${secret}` } });
  expect(me.status()).toBe(200);
  expect(((await me.json()) as { permissions: string[] }).permissions).toEqual(expect.arrayContaining(['deploys:push', 'tokens:write']));
  expect((await api.get('/api/v1/users', { headers: { Authorization: `Bearer ${secret}` } })).status()).toBe(403);
});

test('the create drawer proposes a GUID (copy, regenerate) and the token keeps it; Test access answers before saving', async () => {
  await page.getByRole('button', { name: 'Add token' }).click();
  const drawer = page.getByRole('dialog', { name: 'New API token' });
  const guid = drawer.getByRole('textbox', { name: 'GUID' });
  const first = await guid.inputValue();
  expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  await expect(guid).not.toBeEditable();
  await drawer.getByRole('button', { name: 'Regenerate GUID' }).click();
  const proposed = await guid.inputValue();
  expect(proposed).not.toBe(first);
  await drawer.getByRole('button', { name: 'Copy GUID' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(proposed);

  await drawer.getByLabel('Name').fill('configured-first');
  await drawer.getByRole('combobox', { name: 'Role' }).click();
  await page.getByRole('option', { name: 'Read only' }).click();

  // Test access, before saving: the rules as typed.
  const panel = drawer.getByRole('region', { name: 'Test access' });
  await panel.getByLabel('Path').fill('/api/v1/tokens');
  await panel.getByLabel('Client IP').fill('127.0.0.1');
  await panel.getByLabel('Required permission (optional)').fill('');
  await panel.getByRole('button', { name: 'Check access' }).click();
  await expect(panel.getByRole('status')).toContainText('Allowed');
  await drawer.getByRole('button', { name: 'New allowed IP' }).click();
  await drawer.getByRole('textbox', { name: 'Allowed IP 1' }).fill('10.0.0.0/8');
  await panel.getByRole('button', { name: 'Check access' }).click();
  await expect(panel.getByRole('status')).toContainText('Refused');
  await panel.getByLabel('Client IP').fill('10.1.2.3');
  await panel.getByRole('button', { name: 'Check access' }).click();
  await expect(panel.getByRole('status')).toContainText('Allowed');
  await panel.getByLabel('Method').click();
  await page.getByRole('option', { name: 'POST', exact: true }).click();
  await panel.getByLabel('Required permission (optional)').fill('tokens:write');
  await panel.getByRole('button', { name: 'Check access' }).click();
  await expect(panel.getByRole('status')).toContainText('Refused');
  await expect(panel.getByRole('status')).toContainText('tokens:write');

  await drawer.getByRole('button', { name: 'Generate token' }).click();
  const secret = await secretFromDialog();
  const me = await api.get('/api/v1/auth/me', { headers: { Authorization: `Bearer ${secret}`, 'X-Forwarded-For': '10.1.2.3' } });
  // The token is fenced to 10.0.0.0/8 (no TRUST_PROXY: the socket address counts), so ask as the admin instead.
  expect(me.status()).toBe(403);
  await expect(page.getByRole('row').filter({ hasText: 'configured-first' })).toContainText(proposed.slice(0, 8));
  const login = await api.post('/api/v1/auth/login', { data: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  const adminToken = ((await login.json()) as { token: string }).token;
  const saved = await api.get(`/api/v1/tokens/${proposed}`, { headers: { Authorization: `Bearer ${adminToken}` } });
  expect(saved.status()).toBe(200);
  expect(((await saved.json()) as { name: string }).name).toBe('configured-first');
});

test('the list shows the creator and blocked IPs; Revoke is disabled for an inactive token', async () => {
  const login = await api.post('/api/v1/auth/login', { data: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  const auth = { Authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
  const res = await api.post('/api/v1/tokens', { headers: auth, data: { name: 'blocked-only', scopes: ['tokens:read'], blockedIps: ['198.51.100.0/24'] } });
  expect(res.status()).toBe(201);
  await page.reload();
  const row = page.getByRole('row').filter({ has: page.getByRole('button', { name: 'Open blocked-only', exact: true }) });
  await expect(page.getByRole('columnheader', { name: 'Creator' })).toBeVisible();
  await expect(page.getByRole('columnheader', { name: 'Blocked IPs' })).toBeVisible();
  await expect(row).toContainText('198.51.100.0/24');
  await expect(row).toContainText('Administrator');

  await row.getByRole('switch', { name: 'Active: blocked-only' }).click();
  await expect(page.locator('mat-snack-bar-container').filter({ hasText: 'deactivated' }).last()).toBeVisible();
  await page.getByRole('button', { name: 'Actions for blocked-only', exact: true }).click();
  await expect(page.getByRole('menuitem', { name: 'Revoke' })).toBeDisabled();
  await page.keyboard.press('Escape');
});

test('the edit drawer sets Active/Inactive, regenerates and deletes', async () => {
  await page.getByRole('button', { name: 'Open blocked-only', exact: true }).click();
  const drawer = page.getByRole('dialog', { name: 'Edit API token' });
  await expect(drawer.getByRole('radio', { name: 'Inactive', exact: true })).toBeChecked();
  await drawer.getByRole('radio', { name: 'Active', exact: true }).check();
  await expect(page.locator('mat-snack-bar-container').filter({ hasText: 'activated' }).last()).toBeVisible();
  await expect(page.getByRole('switch', { name: 'Active: blocked-only' })).toBeChecked();

  await drawer.getByRole('button', { name: 'Regenerate' }).click();
  await page.getByRole('dialog', { name: /Regenerate "blocked-only"/ }).getByRole('button', { name: 'Regenerate' }).click();
  const secretDialog = page.getByRole('dialog', { name: /Token regenerated/ });
  await expect(secretDialog.getByRole('textbox', { name: 'Token secret' })).toHaveValue(/^tsr_/);
  await secretDialog.getByRole('checkbox', { name: 'I have copied this token' }).check();
  await secretDialog.getByRole('button', { name: 'Close' }).click();

  await drawer.getByRole('button', { name: 'Delete token' }).click();
  await page.getByRole('dialog', { name: /Delete "blocked-only"/ }).getByRole('button', { name: 'Delete' }).click();
  await expect(page.locator('mat-snack-bar-container').filter({ hasText: 'deleted' }).last()).toBeVisible();
  await expect(page.getByRole('dialog', { name: 'Edit API token' })).toBeHidden();
  await expect(page.getByRole('button', { name: 'Open blocked-only', exact: true })).toHaveCount(0);
});

test('the Valid-from date refuses past dates', async () => {
  await page.getByRole('button', { name: 'Add token' }).click();
  const drawer = page.getByRole('dialog', { name: 'New API token' });
  await drawer.getByLabel('Name').fill('starts-yesterday');
  await drawer.getByRole('combobox', { name: 'Role' }).click();
  await page.getByRole('option', { name: 'Read only' }).click();
  const save = drawer.getByRole('button', { name: 'Generate token' });
  await expect(save).toBeEnabled();
  const yesterday = new Date(Date.now() - 86_400_000);
  const from = drawer.getByRole('textbox', { name: 'Valid from (optional)' });
  await from.fill(`${yesterday.getMonth() + 1}/${yesterday.getDate()}/${yesterday.getFullYear()}`);
  await from.blur();
  await expect(save).toBeDisabled();
  await expect(drawer.getByText('Pick a date from today on')).toBeVisible();
  await drawer.getByRole('button', { name: 'Cancel' }).click();
});
