import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DiscoveryService } from '@nestjs/core';
import { LIMITS } from '@tessera/domain';
import type { z } from 'zod';
import { openApiSchemaOf } from '../common/openapi-zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { createTestApp, type TestApp } from '../testing/test-app';
import { API_PREFIX } from './create-app';

type Json = Record<string, unknown>;
interface Operation {
  requestBody?: { content: Record<string, { schema: Json }> };
  parameters?: { name: string; in: string; required?: boolean; schema?: Json }[];
}
interface Validated {
  route: string;
  method: string;
  path: string;
  where: 'body' | 'query';
  schema: z.ZodType;
}

/**
 * Every route that validates its body or query with a zod schema of @tessera/domain (through a
 * ZodValidationPipe) documents exactly that schema in /api/docs/openapi.json, limits included:
 * the routes are found from Nest's own metadata, so a new route cannot be forgotten, and a body in
 * the document that no zod schema validates (a hand-kept copy) fails too.
 */
describe('OpenAPI request schemas come from the zod schemas the routes enforce', () => {
  let t: TestApp;
  let doc: { paths: Record<string, Record<string, Operation>> };
  let validated: Validated[];

  beforeAll(async () => {
    t = await createTestApp();
    doc = (await t.http.get('/api/docs/openapi.json').expect(200)).body;
    validated = zodValidatedRoutes(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const operation = (v: Pick<Validated, 'path' | 'method'>) => doc.paths[v.path]?.[v.method];

  it('finds the validated routes from the controllers', () => {
    const bodies = validated.filter((v) => v.where === 'body').map((v) => v.route);
    expect(bodies).toEqual(
      expect.arrayContaining(['post /api/v1/tokens', 'patch /api/v1/tokens/{id}', 'post /api/v1/auth/login', 'put /api/v1/security/ip-allowlist']),
    );
    expect(validated.filter((v) => v.where === 'query').map((v) => v.route)).toEqual(expect.arrayContaining(['get /api/v1/tokens', 'get /api/v1/audit']));
  });

  it('documents each validated body with its zod schema, for every content type', () => {
    const wrong: string[] = [];
    for (const v of validated.filter((x) => x.where === 'body')) {
      const content = operation(v)?.requestBody?.content ?? {};
      if (Object.keys(content).length === 0) wrong.push(`${v.route}: no request body in the document`);
      for (const [type, media] of Object.entries(content)) {
        if (JSON.stringify(media.schema) !== JSON.stringify(openApiSchemaOf(v.schema))) wrong.push(`${v.route} (${type}): not its zod schema; use @ApiZodBody(schema)`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('documents each validated query parameter with its zod schema', () => {
    const wrong: string[] = [];
    for (const v of validated.filter((x) => x.where === 'query')) {
      const json = openApiSchemaOf(v.schema) as { properties?: Record<string, Json>; required?: string[] };
      const params = (operation(v)?.parameters ?? []).filter((p) => p.in === 'query');
      const names = Object.keys(json.properties ?? {});
      if (params.map((p) => p.name).sort().join() !== [...names].sort().join()) wrong.push(`${v.route}: parameters ${params.map((p) => p.name).join()} ≠ ${names.join()}`);
      for (const p of params) {
        const expected = json.properties?.[p.name];
        if (JSON.stringify(p.schema) !== JSON.stringify(expected)) wrong.push(`${v.route} ?${p.name}: not its zod schema; use @ApiZodQuery(schema)`);
        if ((p.required ?? false) !== (json.required ?? []).includes(p.name)) wrong.push(`${v.route} ?${p.name}: required differs`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('documents no request body that no zod schema validates', () => {
    const known = new Set(validated.filter((v) => v.where === 'body').map((v) => v.route));
    const orphans = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.requestBody !== undefined)
        .map(([method]) => `${method} ${path}`)
        .filter((route) => !known.has(route)),
    );
    expect(orphans).toEqual([]);
  });

  it('carries the limits of libs/domain into the document', () => {
    const body = (method: string, path: string) =>
      operation({ method, path })?.requestBody?.content['application/json']?.schema as { properties: Record<string, Json> };
    const token = body('post', '/api/v1/tokens').properties;
    expect(token['name']).toMatchObject({ minLength: 1, maxLength: LIMITS.nameMax });
    expect(token['description']).toMatchObject({ maxLength: LIMITS.descriptionMax });
    expect(token['allowedIps']).toMatchObject({ maxItems: LIMITS.listMax, items: { maxLength: LIMITS.ruleMax } });
    expect(body('post', '/api/v1/users').properties['password']).toMatchObject({ minLength: LIMITS.passwordMin, maxLength: LIMITS.passwordMax });
    expect(body('post', '/api/v1/auth/password').properties['newPassword']).toMatchObject({ minLength: LIMITS.passwordMin });
    expect(body('post', '/api/v1/tokens/{id}/regenerate').properties['graceSeconds']).toMatchObject({ minimum: 0, maximum: LIMITS.graceSecondsMax });
    const pageSize = operation({ method: 'get', path: '/api/v1/tokens' })?.parameters?.find((p) => p.name === 'pageSize');
    expect(pageSize?.schema).toMatchObject({ maximum: LIMITS.pageSizeMax });
    expect(body('post', '/api/v1/tokens')).toMatchObject({ additionalProperties: false });
  });
});

/** Routes whose body or query goes through a ZodValidationPipe, from the controllers' metadata. */
function zodValidatedRoutes(t: TestApp): Validated[] {
  const found: Validated[] = [];
  for (const wrapper of t.app.get(DiscoveryService).getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
    if (!controller || !wrapper.instance) continue;
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const proto = Object.getPrototypeOf(wrapper.instance) as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const sub = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (sub === undefined) continue;
      const method = (RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number] ?? 'get').toLowerCase();
      const path = `/${[API_PREFIX, base, sub].filter((s) => s && s !== '/').join('/')}`.replace(/:(\w+)/g, '{$1}');
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, { pipes?: unknown[] }>;
      for (const [key, arg] of Object.entries(args)) {
        const type = Number(key.split(':')[0]);
        const where = type === RouteParamtypes.BODY ? 'body' : type === RouteParamtypes.QUERY ? 'query' : null;
        for (const pipe of arg.pipes ?? []) {
          if (where && pipe instanceof ZodValidationPipe) found.push({ route: `${method} ${path}`, method, path, where, schema: pipe.schema as z.ZodType });
        }
      }
    }
  }
  return found;
}
