import fc from 'fast-check';
import type { TokenDto } from '@tessera/domain';
import { createTestApp, type TestApp } from '../testing/test-app';
import { as, WITHOUT_FAILURE_LIMIT } from './testing/api-client';

/** Values that look like the real fields, mixed with anything at all. */
const ruleish = fc.oneof(
  fc.constantFrom('10.0.0.0/8', '::1', '::ffff:1.2.3.4', '300.1.1.1', '10.0.0.1/8', 'GET /api/**', 'https://*.example.com', 'tokens:read', '*:*', ''),
  fc.string({ maxLength: 40 }),
);
const fieldValue = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.array(ruleish, { maxLength: 5 }),
  fc.string({ maxLength: 120 }),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(null, true, 0, -1, 86401, '00000000-0000-4000-8000-000000000000'),
);
const tokenBody = fc.oneof(
  fc.dictionary(
    fc.constantFrom('name', 'description', 'roleId', 'scopes', 'allowedIps', 'blockedIps', 'allowedEndpoints', 'blockedEndpoints', 'allowedOrigins', 'validFrom', 'validTo', 'extra'),
    fieldValue,
    { maxKeys: 8 },
  ),
  fc.anything({ maxDepth: 3 }),
);

describe('random bodies never produce a 5xx', () => {
  let t: TestApp;
  let admin: ReturnType<typeof as>;
  let existing: TokenDto;

  beforeAll(async () => {
    t = await createTestApp({ env: WITHOUT_FAILURE_LIMIT });
    admin = as(t, t.admin.token);
    existing = ((await admin.post('/tokens', { name: 'fuzz target', scopes: ['tokens:read'] }).expect(201)).body as { token: TokenDto }).token;
  });

  afterAll(async () => {
    await t?.close();
  });

  const json = (value: unknown): string => JSON.stringify(value) ?? 'null';

  it('POST /tokens answers 201 or a 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(tokenBody, async (body) => {
        const res = await admin.post('/tokens').set('Content-Type', 'application/json').send(json(body));
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) expect(res.headers['content-type']).toContain('application/problem+json');
      }),
      { numRuns: 150 },
    );
  });

  it('PATCH /tokens/:id answers 200 or a 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(tokenBody, fc.option(fc.constantFrom('"1"', 'W/"2"', '*', 'garbage', ''), { nil: undefined }), async (body, ifMatch) => {
        const req = admin.patch(`/tokens/${existing.id}`, undefined).set('Content-Type', 'application/json');
        if (ifMatch !== undefined) req.set('If-Match', ifMatch);
        const res = await req.send(json(body));
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) expect(res.headers['content-type']).toContain('application/problem+json');
      }),
      { numRuns: 150 },
    );
  });

  it('every other feature route with a body answers < 500 to random bodies', async () => {
    const roleId = ((await admin.get('/roles').expect(200)).body as { id: string; builtIn: boolean }[]).find((r) => !r.builtIn)?.id;
    const userId = ((await admin.get('/users').expect(200)).body as { id: string }[])[0]?.id;
    const routes: [string, string][] = [
      ['post', '/roles'],
      ['patch', `/roles/${roleId ?? existing.id}`],
      ['post', '/users'],
      ['patch', `/users/${userId ?? existing.id}`],
      ['put', '/security/ip-allowlist'],
      ['post', '/access/explain'],
      ['post', '/introspect'],
      ['post', `/tokens/${existing.id}/regenerate`],
      ['post', '/organizations'],
    ];
    // No 'force': a forced allowlist could shut the admin out and blind the rest of the run.
    const anyBody = fc.oneof(
      fc.dictionary(
        fc.constantFrom('name', 'permissions', 'email', 'displayName', 'password', 'roleId', 'active', 'entries', 'tokenId', 'method', 'path', 'ip', 'origin', 'permission', 'token', 'graceSeconds', 'adminEmail'),
        fc.oneof(fieldValue, fc.array(fc.record({ cidr: ruleish, note: fc.string({ maxLength: 5 }) }), { maxLength: 3 }), fc.constant(existing.id)),
        { maxKeys: 6 },
      ),
      fc.anything({ maxDepth: 2 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), anyBody, async ([method, path], body) => {
        const req = method === 'put' ? admin.put(path, undefined) : method === 'patch' ? admin.patch(path, undefined) : admin.post(path);
        const res = await req.set('Content-Type', 'application/json').send(json(body));
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 200 },
    );
  });

  it('GET /tokens answers 200 or 400 for random query strings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('q', 'guid', 'scope', 'status', 'sort', 'page', 'pageSize', 'x'), fc.oneof(ruleish, fc.integer().map(String)), { maxKeys: 5 }),
        async (query) => {
          const res = await admin.get(`/tokens?${new URLSearchParams(query).toString()}`);
          expect([200, 400]).toContain(res.status);
        },
      ),
      { numRuns: 100 },
    );
  });
});
