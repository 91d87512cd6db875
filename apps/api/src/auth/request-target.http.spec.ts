import { request as httpRequest } from 'node:http';
import { registeredRoutes, UNPARSEABLE_TARGET_DETAIL } from '../app/request-target.hook';
import { AUDIT_PATH_MAX_LENGTH } from '../common/http-request';
import { auditRows, insertToken } from '../testing/fixtures';
import { createTestApp, type TestApp } from '../testing/test-app';

/**
 * Issue 9.3: endpoint rules see the request exactly as the router routes it. Every request here
 * goes over a raw socket (node:http with the target written verbatim), so that no client library
 * normalises the spelling on the way.
 */

const ID = '3f2a9c1e-0b4d-4e8f-9a7b-1c2d3e4f5a6b';
const BLOCKED_DETAIL = "The endpoint is in the token's blocked endpoints";

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function raw(
  t: TestApp,
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawResponse> {
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: hostname,
        port,
        method,
        path: target,
        agent: false,
        headers: {
          ...headers,
          ...(body !== undefined
            ? {
                'content-type': 'application/json',
                'content-length': String(Buffer.byteLength(body)),
              }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', (e) => reject(new Error(`${method} ${target}: ${e.message}`)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function detail(res: RawResponse): string | undefined {
  try {
    return (JSON.parse(res.body) as { detail?: string }).detail;
  } catch {
    return undefined;
  }
}

/** Where the request ended: refused by the endpoint rule, refused before routing, not routed, or elsewhere. */
function outcome(
  res: RawResponse,
): 'blocked' | 'unparseable' | 'not-routed' | 'bad-request' | 'other' {
  const d = detail(res);
  if (res.status === 403 && d === BLOCKED_DETAIL) return 'blocked';
  if (res.status === 400 && d === UNPARSEABLE_TARGET_DETAIL) return 'unparseable';
  if (res.status === 404 && d === 'Not found') return 'not-routed'; // the router's own 404 (handlers name what is missing)
  if (res.status === 400) return 'bad-request';
  return 'other';
}

const encodeFirst = (segment: string, lowerHex: boolean): string => {
  const hex = segment.charCodeAt(0).toString(16);
  return `%${lowerHex ? hex : hex.toUpperCase()}${segment.slice(1)}`;
};

/**
 * Spellings of `path` (filled in, lower-case) an attacker would try, each with whether the router
 * reaches the route with it (`true`: it must be refused by the rule; `false`: it must be refused
 * before routing, or not routed at all).
 */
function spellings(path: string, origin: string): [string, boolean][] {
  const segs = path.split('/').slice(1);
  const join = (s: string[]) => `/${s.join('/')}`;
  const rest = path.slice('/api/v1'.length);
  const list: [string, boolean][] = [
    [path, true],
    [path.replace(ID, ID.toUpperCase()), true],
    [path.replace(ID, ID.replace(/[a-f]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)), true],
    [join(segs.map((s) => encodeFirst(s, false))), true],
    [join(segs.map((s) => encodeFirst(s, true))), true],
    [path.replace(/\//g, '//'), true],
    [`/${path}`, true],
    [`${path}/`, true],
    [`${path}//`, true],
    [`${path}?x=1`, true],
    [`${path}#frag`, true],
    [path.toUpperCase(), false],
    [join(segs.map((s, i) => (i === segs.length - 1 ? s.charAt(0).toUpperCase() + s.slice(1) : s))), false],
    [`${path};x=1`, false],
    [path.replace(/\/([^/]*)$/, '%2F$1'), false],
    [`/api/./v1${rest}`, false],
    [`${path}/.`, false],
    [`/api/v1/x/..${rest}`, false],
    [`/api/v1/%2e${rest}`, false],
    [`/api/v1/x/%2E%2e${rest}`, false],
    [`${origin}${path}`, false],
    [`http://tessera.test${path}`, false],
    [`HTTP://tessera.test${path}`, false],
    [path.slice(1), false],
    [`x${path.slice(1)}`, false],
  ];
  return [...new Map(list).entries()];
}

describe('requests reach the guard as the router routes them (issue 9.3)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('the attacks of the issue', () => {
    it('refuses DELETE in absolute form (http://host/...) that a DELETE /api/v1/** block would otherwise miss', async () => {
      const victim = await insertToken(t);
      const { secret } = await insertToken(t, { blockedEndpoints: ['DELETE /api/v1/**'] });
      const res = await raw(t, 'DELETE', `http://tessera.test/api/v1/tokens/${victim.id}`, {
        authorization: `Bearer ${secret}`,
      });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(JSON.parse(res.body)).toMatchObject({ status: 400, errors: [{ field: 'path' }] });
      const rows = (await t.db.query('SELECT id FROM tokens WHERE id = $1', [
        victim.id,
      ])) as unknown[];
      expect(rows).toHaveLength(1);
    });

    it('refuses an upper-case spelling of the id a blocked rule names in lower case', async () => {
      const victim = await insertToken(t);
      const { secret } = await insertToken(t, {
        blockedEndpoints: [`DELETE /api/v1/tokens/${victim.id}`],
      });
      const res = await raw(t, 'DELETE', `/api/v1/tokens/${victim.id.toUpperCase()}`, {
        authorization: `Bearer ${secret}`,
      });
      expect(res.status).toBe(403);
      expect(detail(res)).toBe(BLOCKED_DETAIL);
      const rows = (await t.db.query('SELECT id FROM tokens WHERE id = $1', [
        victim.id,
      ])) as unknown[];
      expect(rows).toHaveLength(1);
    });

    it('refuses a rule naming an upper-case id for the lower-case spelling too', async () => {
      const victim = await insertToken(t);
      const { secret } = await insertToken(t, {
        blockedEndpoints: [`GET /api/v1/tokens/${victim.id.toUpperCase()}`],
      });
      const res = await raw(t, 'GET', `/api/v1/tokens/${victim.id}`, {
        authorization: `Bearer ${secret}`,
      });
      expect(outcome(res)).toBe('blocked');
    });

    it('refuses HEAD where the rule blocks GET (HEAD is answered by the GET handler)', async () => {
      const { secret } = await insertToken(t, { blockedEndpoints: ['GET /api/v1/audit'] });
      const head = await raw(t, 'HEAD', '/api/v1/audit', { authorization: `Bearer ${secret}` });
      expect(head.status).toBe(403);
      expect(
        outcome(await raw(t, 'GET', '/api/v1/audit', { authorization: `Bearer ${secret}` })),
      ).toBe('blocked');
    });
  });

  it('answers 400 problem+json, with the security headers, for any target not starting with /', async () => {
    // (a target that is neither a path nor absolute, like `api/v1/...`, Node's parser refuses itself: 400)
    expect((await raw(t, 'GET', 'api/v1/health/live')).status).toBe(400);
    for (const target of [
      'http://tessera.test/api/v1/auth/me',
      `${t.url}/api/v1/health/live`,
      '/api/v1/health/./live',
      '/api/v1/health;x/live',
      '/api/v1/%zz',
      '/api/v1/%C3',
    ]) {
      const res = await raw(t, 'GET', target);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(detail(res)).toBe(UNPARSEABLE_TARGET_DETAIL);
      if (target.includes('%')) continue; // the router's own refusal (frameworkErrors) runs before any hook
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
  });

  it('routes // and a trailing slash like the plain path, as the canonical target does', async () => {
    for (const target of ['/api/v1//auth/me', '//api/v1/auth/me', '/api/v1/auth/me/']) {
      const res = await raw(t, 'GET', target, { authorization: `Bearer ${t.admin.token}` });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store'); // however spelled, an api answer is not cached
    }
  });

  it('keeps at most 512 characters of the canonical path in an audit row', async () => {
    const { secret, id } = await insertToken(t, { blockedEndpoints: ['GET /api/v1/tokens/*'] });
    const emoji = encodeURIComponent('😀').repeat(50); // 100 UTF-16 units (the router's limit), 600 characters re-encoded
    const res = await raw(t, 'GET', `/api/v1/tokens/${emoji}`, {
      authorization: `Bearer ${secret}`,
    });
    expect(outcome(res)).toBe('blocked');
    await t.flush();
    const rows = await auditRows(t, "target_id = $1 AND reason = 'endpoint_blocked'", [id]);
    expect(rows.length).toBeGreaterThan(0);
    const path = (rows[0]?.details as { path: string }).path;
    expect(path.length).toBe(AUDIT_PATH_MAX_LENGTH);
    expect(path.startsWith('/api/v1/tokens/%F0%9F%98%80')).toBe(true);
  });

  it('for EVERY route: a token whose blocked endpoints name the route cannot reach it by any spelling', async () => {
    const fastify = t.app.getHttpAdapter().getInstance();
    const routes = registeredRoutes(fastify).filter(
      (r) => r.method !== 'HEAD' && r.method !== 'OPTIONS',
    );
    const filled = [
      ...new Map(
        routes.map((r) => [
          `${r.method} ${r.url}`,
          { method: r.method, path: r.url.replace(/:[A-Za-z]+/g, ID) },
        ]),
      ).values(),
    ];

    // Guarded routes: without credentials they answer 401 (public ones are outside endpoint rules).
    const guarded: { method: string; path: string }[] = [];
    for (const r of filled) {
      const res = await raw(
        t,
        r.method,
        r.path,
        {},
        ['POST', 'PUT', 'PATCH'].includes(r.method) ? '{}' : undefined,
      );
      if (res.status === 401) guarded.push(r);
    }
    expect(guarded.length).toBeGreaterThanOrEqual(25);
    expect(guarded.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        `DELETE /api/v1/tokens/${ID}`,
        'GET /api/v1/audit',
        'GET /metrics',
        `POST /api/v1/tokens/${ID}/regenerate`,
      ]),
    );

    const failures: string[] = [];
    let blocked = 0;
    for (const r of guarded) {
      const { secret } = await insertToken(t, { blockedEndpoints: [`${r.method} ${r.path}`] });
      const auth = { authorization: `Bearer ${secret}` };
      const body = ['POST', 'PUT', 'PATCH'].includes(r.method) ? '{}' : undefined;
      for (const [spelling, routed] of spellings(r.path, t.url)) {
        const res = await raw(t, r.method, spelling, auth, body);
        const o = outcome(res);
        if (o === 'blocked') blocked++;
        if (routed ? o !== 'blocked' : o === 'other') {
          failures.push(`${r.method} ${spelling} → ${res.status} ${res.body.slice(0, 120)}`);
        }
        // (Node's parser refuses a target that is neither a path nor absolute; its raw 400 confuses
        // a HEAD client, and GET already showed the 400.)
        if (r.method === 'GET' && /^(\/|http)/i.test(spelling)) {
          const head = await raw(t, 'HEAD', spelling, auth);
          if (head.status !== res.status) failures.push(`HEAD ${spelling} → ${head.status}, GET → ${res.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(blocked).toBeGreaterThanOrEqual(guarded.length * 8); // the router reaches at least 8 spellings of each
  });
});
