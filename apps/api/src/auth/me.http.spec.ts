import { insertToken } from '../testing/fixtures';
import { bearer, createTestApp, type TestApp } from '../testing/test-app';

const ME = '/api/v1/auth/me';

/** Issue 9.9: auth/me describes the caller; for a user that includes the user's email. */
describe('GET auth/me', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("includes a user's email, read from the user row", async () => {
    const res = await t.http.get(ME).set(bearer(t.admin.token));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'user', email: t.admin.email, name: 'Administrator' });
    expect(res.body.sessionId).toEqual(expect.any(String));

    const org = await t.createOrg();
    const other = await t.http.get(ME).set(bearer(org.token));
    expect(other.body).toMatchObject({ kind: 'user', email: org.email, organization: { id: org.organizationId } });
  });

  it('has no email for a token caller', async () => {
    const { id, secret } = await insertToken(t);
    const res = await t.http.get(ME).set(bearer(secret));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'token', id, tokenId: id });
    expect(res.body).not.toHaveProperty('email');
  });

  it('documents email in the OpenAPI document', async () => {
    const doc = (await t.http.get('/api/docs/openapi.json')).body as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } };
    expect(doc.components.schemas['MeResponse']?.properties).toHaveProperty('email');
  });
});
