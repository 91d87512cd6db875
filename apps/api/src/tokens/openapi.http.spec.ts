import { createTestApp, type TestApp } from '../testing/test-app';

/** The OpenAPI document is the API's reference: every feature route is in it, with its body and answers. */
describe('OpenAPI document for the feature routes', () => {
  let t: TestApp;
  let doc: { paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown>; security?: unknown; tags?: string[] }>> };

  beforeAll(async () => {
    t = await createTestApp();
    doc = (await t.http.get('/api/docs/openapi.json').expect(200)).body;
  });

  afterAll(async () => {
    await t?.close();
  });

  it.each([
    ['get', '/api/v1/tokens', '200'],
    ['post', '/api/v1/tokens', '201'],
    ['get', '/api/v1/tokens/{id}', '200'],
    ['patch', '/api/v1/tokens/{id}', '200'],
    ['delete', '/api/v1/tokens/{id}', '204'],
    ['post', '/api/v1/tokens/{id}/deactivate', '200'],
    ['post', '/api/v1/tokens/{id}/activate', '200'],
    ['post', '/api/v1/tokens/{id}/revoke', '200'],
    ['post', '/api/v1/tokens/{id}/regenerate', '200'],
    ['get', '/api/v1/roles', '200'],
    ['post', '/api/v1/roles', '201'],
    ['get', '/api/v1/roles/{id}', '200'],
    ['patch', '/api/v1/roles/{id}', '200'],
    ['delete', '/api/v1/roles/{id}', '204'],
    ['get', '/api/v1/users', '200'],
    ['post', '/api/v1/users', '201'],
    ['get', '/api/v1/users/{id}', '200'],
    ['patch', '/api/v1/users/{id}', '200'],
    ['post', '/api/v1/organizations', '201'],
    ['get', '/api/v1/security/ip-allowlist', '200'],
    ['put', '/api/v1/security/ip-allowlist', '200'],
    ['get', '/api/v1/permissions', '200'],
    ['post', '/api/v1/access/explain', '200'],
    ['post', '/api/v1/introspect', '200'],
  ])('documents %s %s (%s, bearer auth, 401/403)', (method, path, status) => {
    const op = doc.paths[path]?.[method];
    expect(op).toBeDefined();
    expect(Object.keys(op?.responses ?? {})).toEqual(expect.arrayContaining([status, '401', '403']));
    expect(op?.security).toEqual(expect.arrayContaining([expect.objectContaining({ bearer: [] })]));
    if (['post', 'put', 'patch'].includes(method) && !path.endsWith('activate') && !path.endsWith('revoke')) {
      expect(op?.requestBody).toBeDefined();
    }
  });
});
