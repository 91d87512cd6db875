import { APIRequestContext, Browser, Page, expect, request, test } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, baseUrl, expectAccessible, shot, watchCspViolations } from './fixtures';

/**
 * One admin walks through the console, in order, in one browser tab (the session lives in
 * sessionStorage). Controls are found by role and accessible name, the way a person finds them.
 * axe-core checks every screen, drawer and dialog on the way (`expectAccessible`); it is slow on a
 * busy machine, hence the longer time per test.
 */
test.describe.configure({ mode: 'serial', timeout: 180_000 });

let page: Page;
let api: APIRequestContext;
let firstSecret = '';
/** Content-Security-Policy violations seen so far: every test ends with none. */
let cspViolations: string[] = [];

const row = (name: string) => page.getByRole('row').filter({ has: page.getByRole('button', { name: `Open ${name}`, exact: true }) });

async function openTokenMenu(name: string, item: string): Promise<void> {
  await page.getByRole('button', { name: `Actions for ${name}`, exact: true }).click();
  await page.getByRole('menuitem', { name: item }).click();
}

async function expectSnack(text: string | RegExp): Promise<void> {
  await expect(page.locator('mat-snack-bar-container').filter({ hasText: text }).last()).toBeVisible();
}

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  const context = await browser.newContext({ baseURL: baseUrl(), viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl() });
  cspViolations = await watchCspViolations(context);
  page = await context.newPage();
  api = await request.newContext({ baseURL: baseUrl() });
});

test.afterEach(() => {
  expect(cspViolations, 'Content-Security-Policy violations in the console').toEqual([]);
});

test.afterAll(async () => {
  await api.dispose();
  await page.context().close();
});

test('logs in, refusing a wrong password first', async () => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel('Email').fill(ADMIN_EMAIL);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toContainText('Wrong email or password');
  await shot(page, '01-login');
  await expectAccessible(page, 'the login page');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'API tokens' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link')).toHaveText(['API tokens', 'Roles', 'Users', 'IP allowlist', 'Audit log', 'Sessions']);
  await expect(page.getByText('No API tokens yet')).toBeVisible();
  await shot(page, '02-tokens-empty');
  await expectAccessible(page, 'the empty token list');
});

test('creates a token with a role, an IP rule and an expiry, and shows the secret once', async () => {
  await page.getByRole('button', { name: 'Add token' }).click();
  const drawer = page.getByRole('dialog', { name: 'New API token' });
  await expect(drawer).toBeVisible();
  const save = drawer.getByRole('button', { name: 'Generate token' });
  await expect(save).toBeDisabled();

  await drawer.getByLabel('Name').fill('BackendAutomation');
  await drawer.getByLabel('Description').fill('Nightly batch job');
  await drawer.getByRole('combobox', { name: 'Role' }).click();
  await page.getByRole('option', { name: 'Read only' }).click();
  await expect(drawer.getByText('*:read', { exact: true })).toBeVisible();

  await drawer.getByRole('button', { name: 'New allowed IP' }).click();
  const ip = drawer.getByRole('textbox', { name: 'Allowed IP 1' });
  await ip.fill('127.0.0.1/8');
  await ip.blur();
  await expect(drawer.getByText('host bits must be zero')).toBeVisible();
  await expect(save).toBeDisabled();
  await ip.fill('127.0.0.1/32');

  const nextYear = new Date().getFullYear() + 1;
  await expect(drawer.getByRole('textbox', { name: 'Expires on' })).toHaveValue(new RegExp(String(nextYear)));
  await drawer.getByRole('textbox', { name: 'Expires on' }).fill(`12/31/${nextYear}`);
  await expect(save).toBeEnabled();
  await shot(page, '03-token-create-drawer');
  await expectAccessible(page, 'the New API token drawer');
  await save.click();

  const dialog = page.getByRole('dialog', { name: /Token created/ });
  await expect(dialog).toBeVisible();
  firstSecret = await dialog.getByRole('textbox', { name: 'Token secret' }).inputValue();
  expect(firstSecret).toMatch(/^tsr_[A-Za-z0-9]{46}$/);
  const close = dialog.getByRole('button', { name: 'Close' });
  await expect(close).toBeDisabled();
  await dialog.getByRole('button', { name: 'Copy' }).click();
  await expect(dialog.getByRole('button', { name: 'Copied' })).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download .txt' }).click()]);
  expect(download.suggestedFilename()).toBe('BackendAutomation.txt');
  await shot(page, '04-secret-dialog');
  await expectAccessible(page, 'the secret dialog');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeVisible();
  await dialog.getByRole('checkbox', { name: 'I have copied this token' }).check();
  await close.click();
  await expect(dialog).toBeHidden();

  const r = row('BackendAutomation');
  await expect(r).toContainText('127.0.0.1');
  await expect(r).toContainText(`${nextYear}-12-31`);
  await expect(r).toContainText('active');
});

test('the secret works against the api and "last used" changes', async () => {
  await expect(row('BackendAutomation')).toContainText('Never');
  const res = await api.get('/api/v1/tokens', { headers: { Authorization: `Bearer ${firstSecret}` } });
  expect(res.status()).toBe(200);
  // The api records "last used" off the request path, so it may take a moment: reload until it shows
  // (a reload takes seconds on a busy machine, hence the room).
  await expect(async () => {
    await page.reload();
    await expect(row('BackendAutomation').locator('td.mat-column-lastUsedAt')).toContainText(String(new Date().getFullYear()), { timeout: 15_000 });
  }).toPass({ timeout: 60_000 });
  await expect(row('BackendAutomation').locator('td.mat-column-lastUsedAt')).toContainText('127.0.0.1');
});

test('creates a second token with custom permissions and filters and sorts the list', async () => {
  await page.getByRole('button', { name: 'Add token' }).click();
  const drawer = page.getByRole('dialog', { name: 'New API token' });
  await drawer.getByLabel('Name').fill('Zeta webhook');
  await drawer.getByRole('checkbox', { name: 'All tokens actions' }).check();
  await expect(drawer.getByRole('checkbox', { name: 'tokens:introspect' })).toBeChecked();
  await drawer.getByRole('checkbox', { name: 'tokens:write' }).uncheck();
  await expect(drawer.getByRole('checkbox', { name: 'All tokens actions' })).toHaveAttribute('aria-checked', 'mixed');
  await drawer.getByRole('checkbox', { name: 'audit:read' }).check();
  await drawer.getByRole('switch', { name: 'Never expires' }).click();
  await expect(drawer.getByRole('textbox', { name: 'Expires on' })).toBeHidden();
  await drawer.getByRole('button', { name: 'Generate token' }).click();
  const dialog = page.getByRole('dialog', { name: /Token created/ });
  await dialog.getByRole('checkbox', { name: 'I have copied this token' }).check();
  await dialog.getByRole('button', { name: 'Close' }).click();

  const zeta = row('Zeta webhook');
  await expect(zeta).toContainText('Never');
  await expect(zeta.getByRole('button', { name: /Show 1 more permissions/ })).toBeVisible();
  await zeta.getByRole('button', { name: /Show 1 more permissions/ }).click();
  await expect(zeta).toContainText('tokens:read');

  const names = page.getByRole('button', { name: /^Open / });
  await expect(names).toHaveText(['BackendAutomation', 'Zeta webhook']);
  // Expires: ascending puts "never" last, descending first.
  await page.getByRole('button', { name: 'Expires' }).click();
  await expect(names).toHaveText(['BackendAutomation', 'Zeta webhook']);
  await page.getByRole('button', { name: 'Expires' }).click();
  await expect(names).toHaveText(['Zeta webhook', 'BackendAutomation']);
  await page.getByRole('button', { name: 'Name' }).click();
  await expect(names).toHaveText(['BackendAutomation', 'Zeta webhook']);
  await page.getByRole('button', { name: 'Name' }).click();
  await expect(names).toHaveText(['Zeta webhook', 'BackendAutomation']);

  await page.getByLabel('Search by name').fill('zeta');
  await expect(names).toHaveText(['Zeta webhook']);
  await page.getByLabel('Search by name').fill('');
  await page.getByRole('combobox', { name: 'Scope' }).click();
  await page.getByRole('option', { name: 'tokens:introspect' }).click();
  await expect(names).toHaveText(['Zeta webhook']);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(names).toHaveCount(2);
  await shot(page, '05-tokens-list');
  await expectAccessible(page, 'the token list');
  await page.setViewportSize({ width: 1024, height: 768 });
  await shot(page, '05-tokens-list-1024px');
  await page.setViewportSize({ width: 1280, height: 800 });
});

test('shows an api field error next to the field it names', async () => {
  await page.getByRole('button', { name: 'Add token' }).click();
  const drawer = page.getByRole('dialog', { name: 'New API token' });
  await drawer.getByLabel('Name').fill('backendautomation');
  await drawer.getByRole('checkbox', { name: 'tokens:read' }).check();
  await drawer.getByRole('button', { name: 'Generate token' }).click();
  await expect(drawer.locator('mat-form-field').filter({ hasText: 'Name' }).first()).toContainText('already');
  await expectSnack('Could not create the token');
  await shot(page, '05-token-field-error');
  await drawer.getByRole('button', { name: 'Cancel' }).click();
  await expect(drawer).toBeHidden();
});

test('deactivates and reactivates a token', async () => {
  const toggle = page.getByRole('switch', { name: 'Active: BackendAutomation' });
  await toggle.click();
  await expectSnack('"BackendAutomation" deactivated');
  await expect(row('BackendAutomation')).toContainText('inactive');
  const refused = await api.get('/api/v1/tokens', { headers: { Authorization: `Bearer ${firstSecret}` } });
  expect(refused.status()).toBe(401);
  await page.getByLabel('Token status').click();
  await page.getByRole('option', { name: 'inactive' }).click();
  await expect(page.getByRole('button', { name: /^Open / })).toHaveText(['BackendAutomation']);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByRole('switch', { name: 'Active: BackendAutomation' }).click();
  await expectSnack('"BackendAutomation" activated');
  await expect(row('BackendAutomation').getByText('active', { exact: true })).toBeVisible();
});

test('tests access from the edit drawer', async () => {
  await page.getByRole('button', { name: 'Open BackendAutomation' }).click();
  const drawer = page.getByRole('dialog', { name: 'Edit API token' });
  await expect(drawer.getByLabel('Name')).toHaveValue('BackendAutomation');
  await drawer.getByLabel('Client IP').fill('10.9.9.9');
  await drawer.getByRole('button', { name: 'Check access' }).click();
  await expect(drawer.getByRole('status')).toContainText('Refused');
  await expect(drawer.getByRole('list', { name: 'Decision steps' })).toBeVisible();
  await drawer.getByLabel('Client IP').fill('127.0.0.1');
  await drawer.getByRole('button', { name: 'Check access' }).click();
  await expect(drawer.getByRole('status')).toContainText('Allowed');
  await drawer.getByRole('list', { name: 'Decision steps' }).scrollIntoViewIfNeeded();
  await shot(page, '06-token-edit-test-access');
  await expectAccessible(page, 'the Edit API token drawer with Test access');

  await drawer.getByLabel('Description').fill('Nightly batch job (reports)');
  await drawer.getByRole('button', { name: 'Save' }).click();
  await expectSnack('saved');
  await expect(row('BackendAutomation')).toContainText('Nightly batch job (reports)');
});

test('revokes a token after confirmation', async () => {
  await openTokenMenu('BackendAutomation', 'Revoke');
  const confirm = page.getByRole('dialog', { name: /Revoke/ });
  await expect(confirm).toContainText('This action cannot be undone');
  await shot(page, '07-confirm-revoke');
  await expectAccessible(page, 'the revoke confirmation');
  await confirm.getByRole('button', { name: 'Revoke' }).click();
  await expectSnack('revoked');
  await expect(row('BackendAutomation')).toContainText('revoked');
  await expect(page.getByRole('switch', { name: 'Active: BackendAutomation' })).toBeDisabled();
});

test('regenerates a token and shows the new secret', async () => {
  await openTokenMenu('Zeta webhook', 'Regenerate');
  const confirm = page.getByRole('dialog', { name: /Regenerate/ });
  await expect(confirm).toContainText('This action cannot be undone');
  await confirm.getByRole('combobox', { name: 'Grace period for the old secret' }).click();
  await page.getByRole('option', { name: '1 hour' }).click();
  await expectAccessible(page, 'the regenerate confirmation');
  await confirm.getByRole('button', { name: 'Regenerate' }).click();
  const dialog = page.getByRole('dialog', { name: /Token regenerated/ });
  // The snackbar appears with the dialog and goes after a few seconds: look for it first.
  await expectSnack('regenerated');
  const secret = await dialog.getByRole('textbox', { name: 'Token secret' }).inputValue();
  expect(secret).toMatch(/^tsr_/);
  expect(secret).not.toBe(firstSecret);
  await dialog.getByRole('checkbox', { name: 'I have copied this token' }).check();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
});

test('deletes a token after confirmation', async () => {
  await openTokenMenu('Zeta webhook', 'Delete');
  const confirm = page.getByRole('dialog', { name: /Delete/ });
  await expect(confirm).toContainText('This action cannot be undone');
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expectSnack('deleted');
  await expect(page.getByRole('button', { name: 'Open Zeta webhook' })).toHaveCount(0);
});

test('creates and deletes a role', async () => {
  await page.getByRole('link', { name: 'Roles' }).click();
  await expect(page.getByRole('heading', { name: 'Roles' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'View role All permissions' })).toBeVisible();
  await page.getByRole('button', { name: 'New role' }).click();
  const dialog = page.getByRole('dialog', { name: 'New role' });
  // The dialog focuses its first field once it has opened; type only after that, or the
  // focus move sends later keystrokes into the first field.
  await expect(dialog.getByLabel('Role name')).toBeFocused();
  await dialog.getByLabel('Role name').fill('Auditors');
  await dialog.getByLabel('Description').fill('Read the audit log');
  await dialog.getByRole('checkbox', { name: 'audit:read' }).check();
  await dialog.getByRole('checkbox', { name: 'tokens:read' }).check();
  await shot(page, '08-role-dialog');
  await expectAccessible(page, 'the New role dialog');
  await dialog.getByRole('button', { name: 'Save role' }).click();
  await expectSnack('Role "Auditors" saved');
  await expect(page.getByRole('row', { name: /Auditors/ })).toBeVisible();
  await shot(page, '09-roles');
  await expectAccessible(page, 'the roles page');
  await page.getByRole('button', { name: 'Delete role Auditors' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await expectSnack('deleted');
  await expect(page.getByRole('row', { name: /Auditors/ })).toHaveCount(0);
});

test('adds a user', async () => {
  await page.getByRole('link', { name: 'Users' }).click();
  await page.getByRole('button', { name: 'Add user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add user' });
  await expect(dialog.getByLabel('Email')).toBeFocused(); // see 'creates and deletes a role'
  await dialog.getByLabel('Email').fill('ops@e2e.tessera.test');
  await dialog.getByLabel('Display name').fill('Ops Person');
  await dialog.getByLabel('Initial password').fill('a-long-enough-password');
  await dialog.getByRole('combobox', { name: 'Role' }).click();
  await page.getByRole('option', { name: 'Read only' }).click();
  await expectAccessible(page, 'the Add user dialog');
  await dialog.getByRole('button', { name: 'Add user' }).click();
  await expectSnack('added');
  await expect(page.getByRole('row', { name: /ops@e2e.tessera.test/ })).toBeVisible();
  await shot(page, '10-users');
  await expectAccessible(page, 'the users page');
});

test('edits the IP allowlist, warning before it would lock the admin out', async () => {
  await page.getByRole('link', { name: 'IP allowlist' }).click();
  await expect(page.getByText('Your IP:')).toContainText('127.0.0.1');
  await page.getByRole('button', { name: '+ New IP' }).click();
  await page.getByLabel('IP address 1').fill('10.0.0.0');
  await page.getByRole('combobox', { name: 'Bits to check for entry 1' }).click();
  await page.getByRole('option', { name: '/8', exact: true }).click();
  await page.getByLabel('Note 1').fill('Office network');
  await page.getByRole('button', { name: 'Save allowlist' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'lock you out' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save anyway' })).toBeVisible();
  await shot(page, '11-ip-allowlist-warning');
  await expectAccessible(page, 'the IP allowlist with its lock-out warning');
  await page.getByRole('button', { name: 'Keep editing' }).click();
  await page.getByRole('button', { name: 'Add my IP' }).click();
  await page.getByLabel('Note 2').fill('This machine');
  await page.getByRole('button', { name: 'Save allowlist' }).click();
  await expectSnack('IP allowlist saved');
  await expect(page.getByLabel('IP address 2')).toHaveValue('127.0.0.1');
  await shot(page, '12-ip-allowlist');
  await expectAccessible(page, 'the IP allowlist');
  // Leave the organization unrestricted for what follows.
  await page.getByRole('button', { name: 'Remove entry 2' }).click();
  await page.getByRole('button', { name: 'Remove entry 1' }).click();
  await page.getByRole('button', { name: 'Save allowlist' }).click();
  await expectSnack('IP allowlist saved');
  await expect(page.getByText('No entries')).toBeVisible();
});

test('shows the audit log with filters', async () => {
  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'token.create' }).first()).toBeVisible();
  await page.getByRole('combobox', { name: 'Outcome' }).click();
  await page.getByRole('option', { name: 'Failure' }).click();
  await expect(page.getByRole('cell', { name: 'token.create' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByLabel('Action').fill('token.revoke');
  await expect(page.getByRole('cell', { name: 'token.revoke' }).first()).toBeVisible();
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await shot(page, '13-audit');
  await expectAccessible(page, 'the audit log');
});

test('ends another session, then the current one, which logs out', async () => {
  const login = await api.post('/api/v1/auth/login', { data: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  expect(login.status()).toBe(200);
  const other = ((await login.json()) as { token: string }).token;

  await page.getByRole('link', { name: 'Sessions' }).click();
  await expect(page.getByText('This session')).toBeVisible();
  await shot(page, '14-sessions');
  await expectAccessible(page, 'the sessions page');
  // The other session's button has no "(this session)" in its name.
  await page.getByRole('button', { name: /^End session started [^(]*$/ }).first().click();
  await expectAccessible(page, 'the end-session confirmation');
  await page.getByRole('dialog').getByRole('button', { name: 'End session' }).click();
  await expectSnack('Session ended');
  const refused = await api.get('/api/v1/auth/me', { headers: { Authorization: `Bearer ${other}` } });
  expect(refused.status()).toBe(401);

  await page.getByRole('button', { name: /this session/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'End session' }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
});

test('sends the user back to login when the session ends elsewhere', async () => {
  await page.getByLabel('Email').fill(ADMIN_EMAIL);
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'API tokens' })).toBeVisible();
  const token = await page.evaluate(() => sessionStorage.getItem('tessera.session'));
  const headers = { Authorization: `Bearer ${token}` };
  const me = (await (await api.get('/api/v1/auth/me', { headers })).json()) as { sessionId: string };
  expect((await api.delete(`/api/v1/auth/sessions/${me.sessionId}`, { headers })).ok()).toBe(true);
  await page.getByRole('link', { name: 'Roles' }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('status')).toContainText('Your session has expired');
});
