import { APIRequestContext, Browser, Page, expect, request, test } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, baseUrl, expectAccessible, shot, watchCspViolations } from './fixtures';

/**
 * Passwords in the console: a user changes their own (toolbar), an admin resets another user's
 * (users screen). Runs on its own users, so the admin of console.spec keeps its password.
 */
test.describe.configure({ mode: 'serial', timeout: 180_000 });

const PAT = { email: 'pat@e2e.tessera.test', password: 'pat-first-password-1' };
const SAM = { email: 'sam@e2e.tessera.test', password: 'sam-first-password-1' };
const PAT_NEW = 'pat-second-password-2';

let page: Page;
let api: APIRequestContext;
/** A session of Pat opened outside the browser; changing the password must end it. */
let patOtherSession = '';
/** Content-Security-Policy violations seen so far: every test ends with none. */
let cspViolations: string[] = [];

async function apiLogin(email: string, password: string): Promise<{ status: number; token: string }> {
  const res = await api.post('/api/v1/auth/login', { data: { email, password } });
  return { status: res.status(), token: res.ok() ? ((await res.json()) as { token: string }).token : '' };
}

async function expectSnack(text: string | RegExp): Promise<void> {
  await expect(page.locator('mat-snack-bar-container').filter({ hasText: text }).last()).toBeVisible();
}

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  api = await request.newContext({ baseURL: baseUrl() });
  const admin = await apiLogin(ADMIN_EMAIL, ADMIN_PASSWORD);
  const auth = { Authorization: `Bearer ${admin.token}` };
  const roles = (await (await api.get('/api/v1/roles', { headers: auth })).json()) as { items?: { id: string; name: string }[] } | { id: string; name: string }[];
  const list = Array.isArray(roles) ? roles : (roles.items ?? []);
  const roleId = (name: string) => list.find((r) => r.name === name)?.id ?? '';
  for (const [user, role] of [[PAT, 'All permissions'], [SAM, 'Read only']] as const) {
    const res = await api.post('/api/v1/users', { headers: auth, data: { ...user, displayName: user.email.split('@')[0], roleId: roleId(role) } });
    expect(res.status()).toBe(201);
  }
  patOtherSession = (await apiLogin(PAT.email, PAT.password)).token;
  const context = await browser.newContext({ baseURL: baseUrl(), viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl() });
  cspViolations = await watchCspViolations(context);
  page = await context.newPage();
});

test.afterEach(() => {
  expect(cspViolations, 'Content-Security-Policy violations in the console').toEqual([]);
});

test.afterAll(async () => {
  await api.dispose();
  await page.context().close();
});

test('a signed-in user changes their password: the rule is shown, a wrong current one is named, other sessions end', async () => {
  await page.goto('/login');
  await page.getByLabel('Email').fill(PAT.email);
  await page.getByLabel('Password').fill(PAT.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'API tokens' })).toBeVisible();

  await page.getByRole('button', { name: 'Change password' }).click();
  const dialog = page.getByRole('dialog', { name: 'Change password' });
  const current = dialog.getByLabel('Current password');
  const fresh = dialog.getByLabel(/^New password/);
  const confirm = dialog.getByLabel('Confirm new password');
  const submit = dialog.getByRole('button', { name: 'Change password' });
  await expect(current).toBeFocused();
  await expect(dialog.getByText('12 to 200 characters')).toBeVisible();
  await expect(submit).toBeDisabled();

  await current.fill('not-my-password-at-all');
  await fresh.fill('too-short');
  await confirm.fill('too-short');
  await expect(dialog.getByText('At least 12 characters')).toBeVisible();
  await expect(submit).toBeDisabled();
  await fresh.fill(PAT_NEW);
  await confirm.fill(`${PAT_NEW}-typo`);
  await confirm.blur();
  await expect(dialog.getByText('The passwords do not match')).toBeVisible();
  await expect(submit).toBeDisabled();
  await confirm.fill(PAT_NEW);
  await expect(submit).toBeEnabled();
  await submit.click();
  await expect(dialog.getByRole('alert').first()).toContainText('The current password is wrong');
  await expect(dialog.getByText('This is not your current password')).toBeVisible();
  await shot(page, '20-change-password-wrong-current');
  await expectAccessible(page, 'the Change password dialog');

  await current.fill(PAT.password);
  await submit.click();
  await expect(dialog).toBeHidden();
  await expectSnack(/Password changed\. 1 other session ended/);

  expect((await apiLogin(PAT.email, PAT.password)).status).toBe(401);
  expect((await apiLogin(PAT.email, PAT_NEW)).status).toBe(200);
  const ended = await api.get('/api/v1/auth/me', { headers: { Authorization: `Bearer ${patOtherSession}` } });
  expect(ended.status()).toBe(401);
  // this tab's session stays signed in
  await page.getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
});

test('an admin resets another user\'s password: generated and shown once, the old one stops working', async () => {
  const sam = page.getByRole('row').filter({ hasText: SAM.email });
  await expect(page.getByRole('button', { name: `Reset password of ${PAT.email}` })).toHaveCount(0); // not for oneself
  await sam.getByRole('button', { name: `Reset password of ${SAM.email}` }).click();
  const dialog = page.getByRole('dialog', { name: `Reset password of ${SAM.email}` });
  await expect(dialog.getByRole('radio', { name: 'Generate a password' })).toBeChecked();
  await dialog.getByRole('button', { name: 'Reset password' }).click();
  const shown = dialog.getByRole('textbox', { name: 'New password' });
  await expect(shown).toHaveValue(/^[0-9A-Za-z]{20}$/);
  const generated = await shown.inputValue();
  await shot(page, '21-reset-password-generated');
  await expectAccessible(page, 'the Reset password dialog');
  await dialog.getByRole('button', { name: 'Copy' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(generated);
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeHidden();
  await expectSnack(`Password of ${SAM.email} reset`);

  expect((await apiLogin(SAM.email, SAM.password)).status).toBe(401);
  expect((await apiLogin(SAM.email, generated)).status).toBe(200);
});

test('an admin resets a password to one they choose, held to the same rule', async () => {
  await page.getByRole('button', { name: `Reset password of ${SAM.email}` }).click();
  const dialog = page.getByRole('dialog', { name: `Reset password of ${SAM.email}` });
  await dialog.getByRole('radio', { name: 'Choose a password' }).check();
  const submit = dialog.getByRole('button', { name: 'Reset password' });
  await dialog.getByLabel(/^New password/).fill('short');
  await dialog.getByLabel('Confirm new password').fill('short');
  await expect(submit).toBeDisabled();
  await dialog.getByLabel(/^New password/).fill('sam-chosen-password-3');
  await dialog.getByLabel('Confirm new password').fill('sam-chosen-password-3');
  await submit.click();
  await expect(dialog).toBeHidden();
  await expectSnack(`Password of ${SAM.email} reset`);
  expect((await apiLogin(SAM.email, 'sam-chosen-password-3')).status).toBe(200);
});
