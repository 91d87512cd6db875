import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page, expect, test } from '@playwright/test';
import { Client } from 'pg';
import { ADMIN_EMAIL, ADMIN_PASSWORD, baseUrl, expectAccessible, shot, watchCspViolations } from './fixtures';

/**
 * Invitations (seed 001): the admin invites from the Users screen, the invited person opens the
 * link in a browser of their own, picks a name and password and is signed in; a used or expired
 * link says "This invitation link is broken"; Resend gives a working link again.
 */
test.describe.configure({ mode: 'serial', timeout: 180_000 }); // axe-core is slow on a busy machine

const NEWCOMER = { email: 'newcomer@e2e.tessera.test', name: 'New Comer', password: 'newcomer-password-1' };
const LATE = { email: 'late@e2e.tessera.test', name: 'Late Comer', password: 'late-comer-password-1' };

let page: Page;
let browserRef: Browser;
let firstLink = '';
let cspViolations: string[] = [];

async function expectSnack(text: string | RegExp): Promise<void> {
  await expect(page.locator('mat-snack-bar-container').filter({ hasText: text }).last()).toBeVisible();
}

/** The link the console shows once (no SMTP in these tests), read from its dialog, which is then closed. */
async function linkFromDialog(email: string, checkA11y = false): Promise<string> {
  const dialog = page.getByRole('dialog', { name: `Invitation link for ${email}` });
  await expect(dialog).toBeVisible();
  if (checkA11y) await expectAccessible(page, 'the invitation link dialog');
  const link = await dialog.getByRole('textbox', { name: 'Invitation link' }).inputValue();
  expect(link).toMatch(/\/invitations\/accept#secret=tsi_/);
  await dialog.getByRole('button', { name: 'Copy link' }).click();
  await expect(dialog.getByRole('button', { name: 'Copied' })).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  return link;
}

async function invite(email: string, role: string, checkA11y = false): Promise<string> {
  await page.getByRole('button', { name: 'Invite user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Invite user' });
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByRole('combobox', { name: 'Role' }).click();
  await page.getByRole('option', { name: role, exact: true }).click();
  if (checkA11y) await expectAccessible(page, 'the Invite user dialog');
  await dialog.getByRole('button', { name: 'Send invitation' }).click();
  return linkFromDialog(email, checkA11y);
}

/** Opens a link in a fresh browser context (the invited person's own browser) and fills the form. */
async function acceptIn(link: string, who: { name: string; password: string }, checkA11y = false): Promise<Page> {
  const context = await browserRef.newContext({ baseURL: baseUrl(), viewport: { width: 1280, height: 800 } });
  const violations = await watchCspViolations(context);
  const theirs = await context.newPage();
  await theirs.goto(link);
  await expect(theirs.getByRole('heading', { name: 'Tessera' })).toBeVisible();
  // The secret leaves the address bar as soon as the page has read it.
  await expect(theirs).toHaveURL(/\/invitations\/accept$/);
  if (checkA11y) await expectAccessible(theirs, 'the accept-invitation page');
  const name = theirs.getByLabel('Display name');
  if (await name.isVisible()) {
    await name.fill(who.name);
    await theirs.getByLabel('Password').fill(who.password);
    await theirs.getByRole('button', { name: 'Join and sign in' }).click();
  }
  expect(violations).toEqual([]);
  return theirs;
}

/** Ages an invitation past its 72 hours, as the clock would (the api reads expires_at). */
async function expire(email: string): Promise<void> {
  const dataDir = process.env['E2E_DATA_DIR'] ?? '';
  const { owner } = JSON.parse(readFileSync(join(dataDir, 'postgres-credentials.json'), 'utf8')) as { owner: { user: string; password: string } };
  const client = new Client({ host: '127.0.0.1', port: Number(process.env['E2E_PG_PORT']), user: owner.user, password: owner.password, database: 'tessera' });
  await client.connect();
  try {
    const res = await client.query(`UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE email = $1 AND accepted_at IS NULL`, [email]);
    expect(res.rowCount).toBe(1);
  } finally {
    await client.end();
  }
}

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  browserRef = browser;
  const context = await browser.newContext({ baseURL: baseUrl(), viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl() });
  cspViolations = await watchCspViolations(context);
  page = await context.newPage();
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
  await page.context().close();
});

test('invites by e-mail into a role; the link is shown once with a copy button and the invitation is listed as pending', async () => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  firstLink = await invite(NEWCOMER.email, 'Read only', true);
  const row = page.getByRole('row', { name: new RegExp(NEWCOMER.email) });
  await expect(row).toContainText('Pending');
  await expect(row).toContainText('Read only');
  await shot(page, '20-invitations');
  await expectAccessible(page, 'the users page with invitations');
});

test('the invited person accepts in a fresh browser, is signed in, and can log in again with the password', async () => {
  const theirs = await acceptIn(firstLink, NEWCOMER, true);
  await expect(theirs.getByRole('heading', { name: 'API tokens' })).toBeVisible();
  await expect(theirs.locator('mat-toolbar')).toContainText(NEWCOMER.name);
  await theirs.getByRole('button', { name: 'Log out' }).click();
  await expect(theirs).toHaveURL(/\/login/);
  await theirs.getByLabel('Email').fill(NEWCOMER.email);
  await theirs.getByLabel('Password').fill(NEWCOMER.password);
  await theirs.getByRole('button', { name: 'Log in' }).click();
  await expect(theirs.getByRole('heading', { name: 'API tokens' })).toBeVisible();
  await theirs.context().close();

  await page.reload();
  // a reload takes seconds on a busy machine
  await expect(page.getByRole('row', { name: new RegExp(`${NEWCOMER.name}.*${NEWCOMER.email}`) })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('region', { name: 'Invitations' }).getByText(NEWCOMER.email)).toHaveCount(0);
});

test('a used link shows "This invitation link is broken"', async () => {
  const theirs = await acceptIn(firstLink, { name: 'Someone else', password: 'someone-else-password-1' });
  await expect(theirs.getByRole('alert')).toContainText('This invitation link is broken');
  await theirs.context().close();
});

test('an expired link shows "This invitation link is broken"; Resend sends a link that works, and kills the old one', async () => {
  const oldLink = await invite(LATE.email, 'Read only');
  await expire(LATE.email);
  await page.reload();
  const row = page.getByRole('row', { name: new RegExp(LATE.email) });
  await expect(row).toContainText('Expired');

  const expired = await acceptIn(oldLink, LATE);
  await expect(expired.getByRole('alert')).toContainText('This invitation link is broken');
  await shot(expired, '21-invitation-broken');
  await expectAccessible(expired, 'the broken invitation link page');
  await expired.context().close();

  await row.getByRole('button', { name: `Resend invitation to ${LATE.email}` }).click();
  const newLink = await linkFromDialog(LATE.email);
  expect(newLink).not.toBe(oldLink);
  await expect(row).toContainText('Pending');

  const again = await acceptIn(oldLink, LATE);
  await expect(again.getByRole('alert')).toContainText('This invitation link is broken');
  await again.context().close();

  const accepted = await acceptIn(newLink, LATE);
  await expect(accepted.getByRole('heading', { name: 'API tokens' })).toBeVisible();
  await accepted.context().close();
});

test('deletes an invitation after confirming; its link is broken from then on', async () => {
  const link = await invite('withdrawn@e2e.tessera.test', 'Read only');
  await page.getByRole('button', { name: 'Delete invitation to withdrawn@e2e.tessera.test' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await expectSnack('deleted');
  await expect(page.getByRole('row', { name: /withdrawn@e2e.tessera.test/ })).toHaveCount(0);
  const theirs = await acceptIn(link, { name: 'W', password: 'withdrawn-password-1' });
  await expect(theirs.getByRole('alert')).toContainText('This invitation link is broken');
  await theirs.context().close();
});
