import type { RoleDto } from '@tessera/domain';
import { createTestApp, type TestApp } from '../testing/test-app';
import { as } from '../tokens/testing/api-client';

/**
 * Setting a password (a new user, a new organization's admin) hashes through the same
 * PasswordHasher as login: the same argon2id parameters, and the same bound on argon2 work at once.
 */
describe('password hashing of users and organizations', () => {
  let t: TestApp;
  let admin: ReturnType<typeof as>;
  let readOnly: RoleDto;

  beforeAll(async () => {
    t = await createTestApp({ env: { PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '0' } });
    admin = as(t, t.admin.token);
    const roles = (await admin.get('/roles').expect(200)).body as RoleDto[];
    readOnly = roles.find((r) => r.name === 'Read only') as RoleDto;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('stores argon2id with the parameters login uses', async () => {
    await admin.post('/users', { email: 'params@x.test', displayName: 'P', password: 'a-long-password-1', roleId: readOnly.id }).expect(201);
    await admin.post('/organizations', { name: 'Params Org', adminEmail: 'org-admin@x.test', adminPassword: 'a-long-password-2' }).expect(201);
    const rows: { password_hash: string }[] = await t.db.query(`SELECT password_hash FROM users WHERE email IN ('params@x.test', 'org-admin@x.test')`);
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      const [, kind, , params] = r.password_hash.split('$');
      expect(kind).toBe('argon2id');
      expect(new Set(params?.split(','))).toEqual(new Set(['m=19456', 't=2', 'p=1']));
    }
  });

  it('a burst of user creations cannot run more argon2 at once than the hasher allows: the rest answer 503 and write nothing', async () => {
    const burst = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        admin.post('/users', { email: `burst-${i}@x.test`, displayName: 'B', password: 'a-long-password-1', roleId: readOnly.id }),
      ),
    );
    const statuses = burst.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 503)).toBe(true);
    expect(statuses).toContain(503);
    for (const r of burst.filter((x) => x.status === 503)) {
      expect(r.headers['retry-after']).toBe('1');
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
    const [{ n }] = (await t.db.query(`SELECT count(*)::int AS n FROM users WHERE email LIKE 'burst-%'`)) as [{ n: number }];
    expect(n).toBe(statuses.filter((s) => s === 201).length);
  });
});
