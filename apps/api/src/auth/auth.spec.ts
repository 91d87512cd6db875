import { bearer, createTestApp, type TestApp } from '../testing/test-app';

describe('auth sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('logs the first-start admin in and describes the caller with me', async () => {
    const res = await t.http.get('/api/v1/auth/me').set(bearer(t.admin.token));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'user', name: 'Administrator', organization: { name: 'Default' }, permissions: ['*:*'] });
  });
});
