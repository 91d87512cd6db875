import { APIRequestContext, Browser, BrowserContext, Locator, Page, expect, request, test } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, baseUrl, expectAccessible, shot, watchCspViolations } from './fixtures';

/**
 * The console adapts to who is looking (issue 17): a "Read only" user sees no enabled write action;
 * a user whose role holds only tokens:read and tokens:write sees only the API tokens page and can
 * tick only the permissions it holds — and the api answers the same. Each user has its own browser
 * context; the data (users, role, tokens) is made through the api by the admin first.
 */
test.describe.configure({ mode: 'serial', timeout: 180_000 });

const READER = { email: 'reader@e2e.tessera.test', password: 'reader-password-1' };
const WRITER = { email: 'writer@e2e.tessera.test', password: 'writer-password-1' };
const WRITER_ROLE = 'Token writers';
/** A token only the admin may change: it holds permissions the writer does not. */
const WIDE = 'Admin wide token';
/** A token inside the writer's permissions. */
const NARROW = 'Narrow reader token';

let api: APIRequestContext;
let admin: Record<string, string>;
let page: Page;
let context: BrowserContext;
let cspViolations: string[] = [];
const cleanup: { tokens: string[] } = { tokens: [] };

async function login(email: string, password: string): Promise<string> {
  const res = await api.post('/api/v1/auth/login', { data: { email, password } });
  expect(res.status()).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

async function createToken(name: string, scopes: string[]): Promise<void> {
  const res = await api.post('/api/v1/tokens', { headers: admin, data: { name, scopes } });
  expect(res.status()).toBe(201);
  cleanup.tokens.push(((await res.json()) as { token: { id: string } }).token.id);
}

async function signIn(browser: Browser, user: { email: string; password: string }): Promise<void> {
  context = await browser.newContext({ baseURL: baseUrl(), viewport: { width: 1280, height: 800 } });
  cspViolations = await watchCspViolations(context);
  page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'API tokens' })).toBeVisible();
}

/** Hovers a control and expects its tooltip (Material's, which has no ARIA role) to say `text`. */
async function expectTooltip(control: Locator, text: string, screenshot?: string): Promise<void> {
  const tooltip = page.locator('.mat-mdc-tooltip');
  await control.hover();
  await expect(tooltip).toHaveText(text);
  if (screenshot) await shot(page, screenshot);
  await page.mouse.move(0, 0);
  await expect(tooltip).toHaveCount(0);
}

const row = (name: string) => page.getByRole('row').filter({ has: page.getByRole('button', { name: `Open ${name}`, exact: true }) });

test.beforeAll(async () => {
  api = await request.newContext({ baseURL: baseUrl() });
  admin = { Authorization: `Bearer ${await login(ADMIN_EMAIL, ADMIN_PASSWORD)}` };
  const roles = (await (await api.get('/api/v1/roles', { headers: admin })).json()) as { id: string; name: string }[];
  const readOnly = roles.find((r) => r.name === 'Read only')?.id;
  const created = await api.post('/api/v1/roles', { headers: admin, data: { name: WRITER_ROLE, description: 'Manage API tokens', permissions: ['tokens:read', 'tokens:write'] } });
  expect(created.status()).toBe(201);
  const writerRole = ((await created.json()) as { id: string }).id;
  for (const [user, roleId] of [[READER, readOnly], [WRITER, writerRole]] as const) {
    const res = await api.post('/api/v1/users', { headers: admin, data: { ...user, displayName: user.email.split('@')[0], roleId } });
    expect(res.status()).toBe(201);
  }
  await createToken(WIDE, ['*:*']);
  await createToken(NARROW, ['tokens:read']);
});

test.afterEach(() => {
  expect(cspViolations, 'Content-Security-Policy violations in the console').toEqual([]);
});

test.afterAll(async () => {
  await context?.close();
  // Leave no token behind that the admin's walk-through would list (its users stay: the spec adds its own).
  for (const id of cleanup.tokens) await api.delete(`/api/v1/tokens/${id}`, { headers: admin });
  await api.dispose();
});

test.describe('a Read only user', () => {
  test.beforeAll(async ({ browser }) => {
    await signIn(browser, READER);
  });
  test.afterAll(async () => {
    await context.close();
  });

  test('reads every page but finds every write action on the token list disabled, saying why', async () => {
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link')).toHaveText(['API tokens', 'Roles', 'Users', 'IP allowlist', 'Audit log', 'Sessions']);
    const add = page.getByRole('button', { name: 'Add token' });
    await expect(add).toBeDisabled();
    await expectTooltip(add, 'Requires tokens:write', '30-read-only-add-token-tooltip');
    await expect(row(WIDE)).toBeVisible();
    for (const toggle of await page.getByRole('switch', { name: /^Active: / }).all()) await expect(toggle).toBeDisabled();
    await expectTooltip(page.getByRole('switch', { name: `Active: ${NARROW}` }), 'Requires tokens:write');
    await shot(page, '30-read-only-tokens');
    await expectAccessible(page, 'the token list of a Read only user');

    await page.getByRole('button', { name: `Actions for ${NARROW}`, exact: true }).click();
    await expect(page.getByRole('menuitem', { name: 'View' })).toBeEnabled();
    await expect(page.getByRole('menuitem', { name: 'Edit' })).toHaveCount(0);
    for (const item of ['Revoke', 'Regenerate', 'Delete']) {
      const entry = page.getByRole('menuitem', { name: new RegExp(`^${item}`) });
      await expect(entry).toBeDisabled();
      await expect(entry).toContainText('Requires tokens:write');
    }
    await shot(page, '31-read-only-token-menu');
    await expectAccessible(page, 'the row menu of a Read only user');
    await page.getByRole('menuitem', { name: 'View' }).click();

    const drawer = page.getByRole('dialog', { name: 'View API token' });
    await expect(drawer.getByLabel('Name')).toHaveValue(NARROW);
    await expect(drawer.getByLabel('Name')).toBeDisabled();
    await expect(drawer.getByRole('checkbox', { name: 'tokens:read' })).toBeDisabled();
    await expect(drawer.getByRole('button', { name: 'New allowed IP' })).toHaveCount(0);
    const save = drawer.getByRole('button', { name: 'Save' });
    await expect(save).toBeDisabled();
    await expectTooltip(save, 'Requires tokens:write');
    // Test access is a read: it still works.
    await drawer.getByRole('button', { name: 'Check access' }).click();
    await expect(drawer.getByRole('status')).toContainText(/Allowed|Refused/);
    await shot(page, '32-read-only-token-drawer');
    await expectAccessible(page, 'the View API token drawer');
    await drawer.getByRole('button', { name: 'Close', exact: true }).click();
    await expect(drawer).toBeHidden();
  });

  test('finds no enabled write action on roles, users and the IP allowlist', async () => {
    await page.getByRole('link', { name: 'Roles' }).click();
    await expect(page.getByRole('heading', { name: 'Roles' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'New role' })).toBeDisabled();
    await expect(page.getByRole('button', { name: /^Edit role / })).toHaveCount(0);
    const del = page.getByRole('button', { name: `Delete role ${WRITER_ROLE}` });
    await expect(del).toBeDisabled();
    await expectTooltip(del, 'Requires roles:write');
    await expectAccessible(page, 'the roles page of a Read only user');
    await page.getByRole('button', { name: `View role ${WRITER_ROLE}` }).click();
    const dialog = page.getByRole('dialog', { name: `Role: ${WRITER_ROLE}` });
    await expect(dialog.getByRole('checkbox', { name: 'tokens:write' })).toBeChecked();
    await expect(dialog.getByRole('checkbox', { name: 'tokens:write' })).toBeDisabled();
    await expect(dialog.getByRole('button', { name: 'Save role' })).toHaveCount(0);
    await expectAccessible(page, 'the role view dialog');
    await dialog.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('link', { name: 'Users' }).click();
    await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Add user' })).toBeDisabled();
    for (const control of await page.getByRole('switch', { name: /^Active: / }).all()) await expect(control).toBeDisabled();
    for (const control of await page.getByRole('combobox', { name: /^Role of / }).all()) await expect(control).toBeDisabled();
    for (const control of await page.getByRole('button', { name: /^Reset password of / }).all()) await expect(control).toBeDisabled();
    await expectTooltip(page.getByRole('button', { name: `Reset password of ${WRITER.email}` }), 'Requires users:write', '33-read-only-users-tooltip');
    await shot(page, '33-read-only-users');
    await expectAccessible(page, 'the users page of a Read only user');

    await page.getByRole('link', { name: 'IP allowlist' }).click();
    await expect(page.getByText('Your IP:')).toContainText('127.0.0.1');
    for (const name of ['Add my IP', '+ New IP', 'Save allowlist']) await expect(page.getByRole('button', { name })).toBeDisabled();
    await expect(page.getByRole('button', { name: 'Discard changes' })).toHaveCount(0);
    await expectTooltip(page.getByRole('button', { name: 'Save allowlist' }), 'Requires security:write');
    await shot(page, '34-read-only-allowlist');
    await expectAccessible(page, 'the IP allowlist of a Read only user');

    await page.getByRole('link', { name: 'Audit log' }).click();
    await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
    await expectAccessible(page, 'the audit log of a Read only user');
  });

  test('is refused by the api what the console does not offer', async () => {
    const reader = { Authorization: `Bearer ${await page.evaluate(() => sessionStorage.getItem('tessera.session'))}` };
    expect((await api.post('/api/v1/tokens', { headers: reader, data: { name: 'sneaky', scopes: ['tokens:read'] } })).status()).toBe(403);
    expect((await api.put('/api/v1/security/ip-allowlist', { headers: reader, data: { entries: [] } })).status()).toBe(403);
    const me = (await (await api.get('/api/v1/auth/me', { headers: reader })).json()) as { permissions: string[]; grantable: string[] };
    expect(me.permissions).toEqual(['*:read']);
    expect(me.grantable.every((p) => p.endsWith(':read'))).toBe(true);
  });
});

test.describe('a tokens:read+write user', () => {
  let writer: Record<string, string>;

  test.beforeAll(async ({ browser }) => {
    await signIn(browser, WRITER);
    writer = { Authorization: `Bearer ${await page.evaluate(() => sessionStorage.getItem('tessera.session'))}` };
  });
  test.afterAll(async () => {
    await context.close();
  });

  test('sees only the pages it may read; another page sends it back', async () => {
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link')).toHaveText(['API tokens', 'Sessions']);
    await page.goto('/roles');
    await expect(page).toHaveURL(/\/tokens$/);
    await expect(page.getByRole('heading', { name: 'API tokens' })).toBeVisible();
    await page.goto('/ip-allowlist');
    await expect(page).toHaveURL(/\/tokens$/);
  });

  test('may change the tokens it covers, and only look at a wider one', async () => {
    await expect(page.getByRole('button', { name: 'Add token' })).toBeEnabled();
    await expect(page.getByRole('switch', { name: `Active: ${NARROW}` })).toBeEnabled();
    const wide = page.getByRole('switch', { name: `Active: ${WIDE}` });
    await expect(wide).toBeDisabled();
    await expectTooltip(wide, 'Requires *:*', '37-writer-wide-token-tooltip');
    await page.getByRole('button', { name: `Actions for ${WIDE}`, exact: true }).click();
    await expect(page.getByRole('menuitem', { name: /^Delete/ })).toContainText('Requires *:*');
    await expect(page.getByRole('menuitem', { name: /^Delete/ })).toBeDisabled();
    await page.keyboard.press('Escape');
    await expect(row(WIDE)).toBeVisible();
    // the api agrees
    const wideId = cleanup.tokens[0];
    expect((await api.post(`/api/v1/tokens/${wideId}/deactivate`, { headers: writer })).status()).toBe(403);
    expect((await api.delete(`/api/v1/tokens/${wideId}`, { headers: writer })).status()).toBe(403);
  });

  test('filters by the scopes it holds and can tick only the permissions it holds', async () => {
    await page.getByRole('combobox', { name: 'Scope' }).click();
    await expect(page.getByRole('option')).toHaveText(['Any scope', 'tokens:read', 'tokens:write']);
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Add token' }).click();
    const drawer = page.getByRole('dialog', { name: 'New API token' });
    const boxes = drawer.getByRole('group', { name: 'Custom permissions' }).getByRole('checkbox');
    await expect(boxes).toHaveCount(4); // the tokens box and its three actions
    await expect(drawer.getByRole('checkbox', { name: 'roles:write' })).toHaveCount(0);
    await expect(drawer.getByRole('checkbox', { name: 'users:write' })).toHaveCount(0);
    const introspect = drawer.getByRole('checkbox', { name: 'tokens:introspect' });
    await expect(introspect).toBeDisabled();
    await expectTooltip(introspect, 'Requires tokens:introspect', '36-writer-picker-tooltip');
    const enabled: string[] = [];
    for (const box of await boxes.all()) if (await box.isEnabled()) enabled.push((await box.getAttribute('aria-label')) ?? '');
    const me = (await (await api.get('/api/v1/auth/me', { headers: writer })).json()) as { grantable: string[] };
    expect(enabled.filter((name) => name.includes(':'))).toEqual(me.grantable);

    await drawer.getByRole('combobox', { name: 'Role' }).click();
    await expect(page.getByRole('option')).toHaveText(['No role (custom permissions only)']);
    await page.getByRole('option', { name: 'No role (custom permissions only)' }).click();

    await drawer.getByLabel('Name').fill('Writer made this');
    await drawer.getByRole('checkbox', { name: 'All tokens actions' }).check();
    await expect(drawer.getByRole('checkbox', { name: 'tokens:read' })).toBeChecked();
    await expect(drawer.getByRole('checkbox', { name: 'tokens:write' })).toBeChecked();
    await expect(introspect).not.toBeChecked();
    await shot(page, '35-writer-picker');
    await expectAccessible(page, 'the New API token drawer of a tokens:read+write user');
    await drawer.getByRole('button', { name: 'Generate token' }).click();
    const dialog = page.getByRole('dialog', { name: /Token created/ });
    await dialog.getByRole('checkbox', { name: 'I have copied this token' }).check();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(row('Writer made this')).toContainText('tokens:write');
    const mine = (await (await api.get('/api/v1/tokens?q=Writer', { headers: admin })).json()) as { items: { id: string }[] };
    cleanup.tokens.push(...mine.items.map((t) => t.id));
  });

  test('is refused by the api exactly the permissions the console does not offer', async () => {
    for (const [scopes, status] of [
      [['tokens:read', 'tokens:write'], 201],
      [['tokens:introspect'], 403],
      [['roles:write'], 403],
      [['users:write'], 403],
      [['*:read'], 403],
    ] as const) {
      const res = await api.post('/api/v1/tokens', { headers: writer, data: { name: `writer via api ${scopes.join(' ')}`, scopes } });
      expect([scopes, res.status()]).toEqual([scopes, status]);
      if (res.status() === 201) cleanup.tokens.push(((await res.json()) as { token: { id: string } }).token.id);
    }
  });
});
