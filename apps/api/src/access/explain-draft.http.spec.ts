import type { ExplainResponseDto, RoleDto } from '@tessera/domain';
import { createTestApp, type TestApp } from '../testing/test-app';
import { as, WITHOUT_FAILURE_LIMIT } from '../tokens/testing/api-client';

/** POST access/explain for a token not saved yet (the create drawer's Test access, SPEC §7). */
describe('access/explain for draft rules', () => {
  let t: TestApp;
  let admin: ReturnType<typeof as>;
  let readOnly: RoleDto;
  let foreignRole: RoleDto;

  beforeAll(async () => {
    t = await createTestApp({ env: WITHOUT_FAILURE_LIMIT });
    admin = as(t, t.admin.token);
    readOnly = ((await admin.get('/roles').expect(200)).body as RoleDto[]).find((r) => r.name === 'Read only') as RoleDto;
    foreignRole = ((await as(t, (await t.createOrg()).token).get('/roles').expect(200)).body as RoleDto[])[0] as RoleDto;
  });

  afterAll(async () => {
    await t?.close();
  });

  const explain = async (body: object): Promise<ExplainResponseDto> => (await admin.post('/access/explain', body).expect(200)).body as ExplainResponseDto;
  const tokens = async (): Promise<number> => ((await t.db.query(`SELECT count(*)::int AS n FROM tokens`)) as { n: number }[])[0]?.n ?? 0;

  it('answers for the rules being typed, the way the guard would for a saved token, writing nothing', async () => {
    const before = await tokens();
    const draft = { scopes: ['tokens:read'], allowedIps: ['10.0.0.0/8'], blockedEndpoints: ['DELETE /api/v1/**'] };
    const outside = await explain({ draft, method: 'GET', path: '/api/v1/tokens', ip: '127.0.0.1' });
    expect(outside).toMatchObject({ allowed: false, status: 403, reason: 'ip_not_allowed' });
    expect(await explain({ draft, method: 'GET', path: '/api/v1/tokens', ip: '10.1.2.3' })).toMatchObject({ allowed: true, status: 200 });
    expect(await explain({ draft, method: 'POST', path: '/api/v1/tokens', ip: '10.1.2.3' })).toMatchObject({
      allowed: false,
      status: 403,
      scope: 'tokens:write',
    });
    expect(await tokens()).toBe(before);
  });

  it("takes the role's permissions and the validity dates into account", async () => {
    expect(await explain({ draft: { roleId: readOnly.id }, method: 'GET', path: '/api/v1/audit', ip: '127.0.0.1' })).toMatchObject({ allowed: true });
    expect(await explain({ draft: { roleId: readOnly.id }, method: 'PUT', path: '/api/v1/security/ip-allowlist', ip: '127.0.0.1' })).toMatchObject({
      allowed: false,
      scope: 'security:write',
    });
    const later = new Date(Date.now() + 86_400_000).toISOString();
    expect(await explain({ draft: { scopes: ['*:*'], validFrom: later }, method: 'GET', path: '/api/v1/tokens', ip: '127.0.0.1' })).toMatchObject({
      allowed: false,
      status: 401,
      reason: 'pending',
    });
  });

  it('refuses a body with both or neither of tokenId and draft, bad draft rules and a foreign role, naming the field', async () => {
    const base = { method: 'GET', path: '/api/v1/tokens', ip: '127.0.0.1' };
    const both = await admin.post('/access/explain', { ...base, tokenId: '3f1c2a52-7c1e-4b7a-9a55-3d1f0f5b8e21', draft: {} });
    expect(both.status).toBe(400);
    expect(both.body.errors).toEqual([expect.objectContaining({ field: 'tokenId' })]);
    expect((await admin.post('/access/explain', base)).status).toBe(400);
    const badIp = await admin.post('/access/explain', { ...base, draft: { allowedIps: ['10.0.0.1/8'] } });
    expect(badIp.status).toBe(400);
    expect(badIp.body.errors).toEqual([expect.objectContaining({ field: 'draft.allowedIps.0' })]);
    const foreign = await admin.post('/access/explain', { ...base, draft: { roleId: foreignRole.id } });
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors).toEqual([{ field: 'draft.roleId', message: 'No such role in this organization' }]);
  });
});
