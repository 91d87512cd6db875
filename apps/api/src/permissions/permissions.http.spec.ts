import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_RESOURCES } from '@tessera/domain';
import { createTestApp, type TestApp } from '../testing/test-app';
import { as, WITHOUT_FAILURE_LIMIT } from '../tokens/testing/api-client';
import { loadPermissionsFile } from './permissions.service';

function file(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tessera-perms-')), 'permissions.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('permission catalog', () => {
  describe('GET /permissions with a PERMISSIONS_FILE', () => {
    let t: TestApp;

    beforeAll(async () => {
      const path = file({ resources: [{ resource: 'billing', description: 'Invoices', actions: ['read', 'write', 'refund'] }] });
      t = await createTestApp({ env: { ...WITHOUT_FAILURE_LIMIT, PERMISSIONS_FILE: path } });
    });

    afterAll(async () => {
      await t?.close();
    });

    it("lists the api's own resources and the deployment's", async () => {
      const res = await as(t, t.admin.token).get('/permissions').expect(200);
      const names = (res.body.resources as { resource: string }[]).map((r) => r.resource);
      expect(names).toEqual([...BUILTIN_RESOURCES.map((r) => r.resource), 'billing']);
      expect(res.body.resources.at(-1)).toEqual({ resource: 'billing', description: 'Invoices', actions: ['read', 'write', 'refund'], tags: {} });
      for (const own of ['tokens', 'roles', 'security', 'audit', 'users', 'sessions', 'organizations']) expect(names).toContain(own);
    });

    it('lets tokens carry the registered permissions', async () => {
      const res = await as(t, t.admin.token).post('/tokens', { name: 'biller', scopes: ['billing:refund'] }).expect(201);
      expect(res.body.token.permissions).toEqual(['billing:refund']);
    });
  });

  describe('loadPermissionsFile', () => {
    it('accepts a bare array of resources', () => {
      expect(loadPermissionsFile(file([{ resource: 'reports', actions: ['read'] }]))).toEqual([
        { resource: 'reports', description: '', actions: ['read'] },
      ]);
    });

    it('names the file and the bad entry', () => {
      const path = file({ resources: [{ resource: 'ok', actions: ['read'] }, { resource: 'Bad Name', actions: ['read'] }] });
      expect(() => loadPermissionsFile(path)).toThrow(new RegExp(`PERMISSIONS_FILE ${path}: resources\\.1\\.resource`));
    });

    it('reads action tags and refuses a tag on an action the resource does not list', () => {
      expect(loadPermissionsFile(file([{ resource: 'deploys', actions: ['read', 'push'], tags: { push: ['cli', 'cli'] } }]))).toEqual([
        { resource: 'deploys', description: '', actions: ['read', 'push'], tags: { push: ['cli'] } },
      ]);
      expect(() => loadPermissionsFile(file([{ resource: 'deploys', actions: ['read'], tags: { push: ['cli'] } }]))).toThrow(/resources\.0\.tags\.push|tags\.push/);
      expect(() => loadPermissionsFile(file([{ resource: 'deploys', actions: ['read'], tags: { read: ['Not A Tag'] } }]))).toThrow(/PERMISSIONS_FILE/);
    });

    it('refuses to redefine a built-in resource, duplicates and broken JSON', () => {
      expect(() => loadPermissionsFile(file([{ resource: 'tokens', actions: ['read'] }]))).toThrow(/built in/);
      expect(() => loadPermissionsFile(file([{ resource: 'x', actions: ['read'] }, { resource: 'x', actions: ['write'] }]))).toThrow(/twice/);
      expect(() => loadPermissionsFile(file('{nope'))).toThrow(/PERMISSIONS_FILE/);
      expect(() => loadPermissionsFile('/does/not/exist.json')).toThrow(/PERMISSIONS_FILE/);
    });
  });
});
