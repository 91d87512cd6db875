import type { CreatedTokenDto } from '@tessera/domain';
import { newTokenId } from '@tessera/domain';
import { createTestApp, type TestApp } from '../testing/test-app';
import { as, WITHOUT_FAILURE_LIMIT } from './testing/api-client';

/** POST tokens with a proposed id (seed 004: the GUID is shown in the create form before saving). */
describe('tokens with a proposed id', () => {
  let t: TestApp;
  let admin: ReturnType<typeof as>;
  let otherAdmin: ReturnType<typeof as>;

  beforeAll(async () => {
    t = await createTestApp({ env: WITHOUT_FAILURE_LIMIT });
    admin = as(t, t.admin.token);
    otherAdmin = as(t, (await t.createOrg()).token);
  });

  afterAll(async () => {
    await t?.close();
  });

  const count = async (): Promise<number> => ((await t.db.query(`SELECT count(*)::int AS n FROM tokens`)) as { n: number }[])[0]?.n ?? 0;

  it('keeps a proposed UUID v4 as the token id (upper case is stored lower case)', async () => {
    const id = newTokenId();
    const res = await admin.post('/tokens', { id: id.toUpperCase(), name: 'proposed', scopes: ['tokens:read'] }).expect(201);
    expect((res.body as CreatedTokenDto).token.id).toBe(id);
    await admin.get(`/tokens/${id}`).expect(200);
    await admin.get(`/tokens/${id.toUpperCase()}`).expect(200);
  });

  it('answers 409 naming id for a taken id, in any spelling and from any organization, without saying whose', async () => {
    const id = newTokenId();
    await admin.post('/tokens', { id, name: 'first', scopes: ['tokens:read'] }).expect(201);
    const before = await count();
    const same = await admin.post('/tokens', { id, name: 'second', scopes: ['tokens:read'] });
    const upper = await admin.post('/tokens', { id: id.toUpperCase(), name: 'third', scopes: ['tokens:read'] });
    const foreign = await otherAdmin.post('/tokens', { id: ` ${id.toUpperCase()} `, name: 'theirs', scopes: ['tokens:read'] });
    for (const res of [same, upper, foreign]) {
      expect(res.status).toBe(409);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors).toEqual([{ field: 'id', message: 'is taken; propose another UUID v4' }]);
      expect(res.body.detail).toBe('A token with this id already exists');
    }
    expect(JSON.stringify(foreign.body)).not.toContain('first');
    expect(await count()).toBe(before);
    // The other organization still cannot see it.
    expect((await otherAdmin.get(`/tokens/${id}`)).status).toBe(404);
  });

  it.each([
    ['a version 1 UUID', 'a8098c1a-f86e-11da-bd1a-00112444be1e'],
    ['the nil UUID', '00000000-0000-0000-0000-000000000000'],
    ['not a UUID', 'my-token'],
    ['a number', 42],
  ])('answers 400 naming id for %s', async (_what, id) => {
    const before = await count();
    const res = await admin.post('/tokens', { id, name: `bad-${String(id)}`, scopes: ['tokens:read'] });
    expect(res.status).toBe(400);
    expect((res.body.errors as { field: string }[]).map((e) => e.field)).toEqual(['id']);
    expect(await count()).toBe(before);
  });

  it('an id cannot be changed afterwards (PATCH refuses the field)', async () => {
    const created = (await admin.post('/tokens', { name: 'fixed id', scopes: ['tokens:read'] }).expect(201)).body as CreatedTokenDto;
    const res = await admin.patch(`/tokens/${created.token.id}`, { id: newTokenId() });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'id' })]);
  });
});
