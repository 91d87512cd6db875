import { Controller, type ExecutionContext, Get } from '@nestjs/common';
import { type DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { generateTokenSecret } from '@tessera/domain';
import { hashTokenSecret } from '../common/secret-hash';
import { Public } from '../common/decorators';
import { auditRows, changeInDatabase, insertToken, setOrgAllowlist } from '../testing/fixtures';
import { bearer, createTestApp, type TestApp } from '../testing/test-app';
import { AccessGuard } from './access.guard';
import { RouteAccessCheck } from './route-access-check';

const ME = '/api/v1/auth/me';
const HOUR = 3_600_000;

function challenge(res: { headers: Record<string, string | undefined> }): string {
  return res.headers['www-authenticate'] ?? '';
}

describe('the global guard (SPEC §5)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { TRUST_PROXY: 'loopback', AUTH_FAILURE_LIMIT: '1000' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('credentials', () => {
    it('answers 401 with the realm challenge and problem+json when there is no bearer token', async () => {
      for (const headers of [{}, { Authorization: 'Basic YWxhZGRpbjpvcGVuc2VzYW1l' }]) {
        const res = await t.http.get(ME).set(headers);
        expect(res.status).toBe(401);
        expect(challenge(res)).toBe('Bearer realm="tessera"');
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized' });
      }
    });

    it('answers 400 invalid_request for a malformed Authorization header', async () => {
      for (const value of ['Bearer', 'Bearer a b', 'Bearer  two-spaces']) {
        const res = await t.http.get(ME).set('Authorization', value);
        expect(res.status).toBe(400);
        expect(challenge(res)).toMatch(/^Bearer realm="tessera", error="invalid_request"/);
        expect(res.body.status).toBe(400);
      }
    });

    it('refuses a token in the query string (400) even when it is valid', async () => {
      const { secret } = await insertToken(t);
      const res = await t.http.get(`${ME}?access_token=${secret}`);
      expect(res.status).toBe(400);
      expect(challenge(res)).toContain('error="invalid_request"');
      const both = await t.http.get(`${ME}?access_token=${secret}`).set(bearer(secret));
      expect(both.status).toBe(400);
    });

    it('answers 401 invalid_token for a bad checksum, an unknown, revoked, inactive, pending or expired token', async () => {
      const now = Date.now();
      const good = generateTokenSecret();
      const badChecksum = good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A');
      const cases: [string, string][] = [
        ['malformed', badChecksum],
        ['malformed', 'not-a-token'],
        ['unknown', generateTokenSecret()],
        ['revoked', (await insertToken(t, { revokedAt: new Date(now - HOUR), validTo: new Date(now - HOUR) })).secret],
        ['inactive', (await insertToken(t, { active: false })).secret],
        ['pending', (await insertToken(t, { validFrom: new Date(now + HOUR) })).secret],
        ['expired', (await insertToken(t, { validTo: new Date(now - 1000) })).secret],
      ];
      for (const [, secret] of cases) {
        const res = await t.http.get(ME).set(bearer(secret)).set('X-Forwarded-For', '192.0.2.50');
        expect(res.status).toBe(401);
        expect(challenge(res)).toMatch(/^Bearer realm="tessera", error="invalid_token"/);
        expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized' });
      }
      await t.flush();
      // The second malformed secret from 192.0.2.0/24 in the minute is counted into that network's
      // summary row (issue 16), written when the minute ends: every other refusal is a row of its own.
      const rows = await auditRows(t, "action = 'auth.denied' AND ip = '192.0.2.50'");
      expect(rows.map((r) => r.reason)).toEqual(cases.map(([reason]) => reason).filter((_, i) => i !== 1));
      const stored = JSON.stringify(rows);
      for (const [, secret] of cases) expect(stored).not.toContain(secret);
    });

    it('lets an active token through and records its use in a batch (no write per request)', async () => {
      const { id, secret } = await insertToken(t);
      for (let i = 0; i < 3; i++) {
        expect((await t.http.get(ME).set(bearer(secret)).set('X-Forwarded-For', '203.0.113.77')).status).toBe(200);
      }
      const before = (await t.db.query('SELECT use_count FROM tokens WHERE id = $1', [id])) as { use_count: string }[];
      await t.flush();
      const after = (await t.db.query('SELECT use_count, last_used_ip, last_used_at, version FROM tokens WHERE id = $1', [id])) as {
        use_count: string;
        last_used_ip: string;
        last_used_at: Date | null;
        version: number;
      }[];
      expect(Number(before[0]?.use_count)).toBeLessThanOrEqual(3);
      expect(after[0]).toMatchObject({ use_count: '3', last_used_ip: '203.0.113.77', version: 1 });
      expect(after[0]?.last_used_at).not.toBeNull();
    });

    it('honours a previous secret only during its grace period', async () => {
      const { id, secret: current } = await insertToken(t);
      const previous = generateTokenSecret();
      await t.db.query('UPDATE tokens SET previous_secret_hash = $2, previous_secret_valid_until = $3 WHERE id = $1', [
        id,
        hashTokenSecret(previous),
        new Date(Date.now() + HOUR),
      ]);
      expect((await t.http.get(ME).set(bearer(previous))).status).toBe(200);
      expect((await t.http.get(ME).set(bearer(current))).status).toBe(200);
      t.setNow(new Date(Date.now() + 2 * HOUR));
      try {
        expect((await t.http.get(ME).set(bearer(previous))).status).toBe(401);
        expect((await t.http.get(ME).set(bearer(current))).status).toBe(200);
      } finally {
        t.setNow(null);
      }
    });

    it('answers pending then active then expired as the injected clock moves', async () => {
      const start = new Date(Date.now() + HOUR);
      const { secret } = await insertToken(t, { validFrom: start, validTo: new Date(start.getTime() + HOUR) });
      try {
        expect((await t.http.get(ME).set(bearer(secret))).status).toBe(401);
        t.setNow(new Date(start.getTime() + 60_000));
        expect((await t.http.get(ME).set(bearer(secret))).status).toBe(200);
        t.setNow(new Date(start.getTime() + HOUR));
        expect((await t.http.get(ME).set(bearer(secret))).status).toBe(401);
      } finally {
        t.setNow(null);
      }
    });
  });

  describe('rules (403)', () => {
    it('refuses a token used from an address outside its CIDR rules, IPv4, IPv6 and ::ffff: mapped', async () => {
      const v4 = await insertToken(t, { allowedIps: ['10.0.0.0/8'] });
      const v6 = await insertToken(t, { allowedIps: ['2001:db8::/32'] });
      expect((await t.http.get(ME).set(bearer(v4.secret))).status).toBe(403); // from 127.0.0.1
      expect((await t.http.get(ME).set(bearer(v4.secret)).set('X-Forwarded-For', '10.1.2.3')).status).toBe(200);
      expect((await t.http.get(ME).set(bearer(v4.secret)).set('X-Forwarded-For', '::ffff:10.1.2.3')).status).toBe(200);
      expect((await t.http.get(ME).set(bearer(v4.secret)).set('X-Forwarded-For', '11.1.2.3')).status).toBe(403);
      expect((await t.http.get(ME).set(bearer(v6.secret)).set('X-Forwarded-For', '2001:db8::42')).status).toBe(200);
      expect((await t.http.get(ME).set(bearer(v6.secret)).set('X-Forwarded-For', '2001:db9::42')).status).toBe(403);
      const res = await t.http.get(ME).set(bearer(v4.secret)).set('X-Forwarded-For', '192.0.2.1');
      expect(res.body).toMatchObject({ status: 403, title: 'Forbidden' });
      expect(res.headers['www-authenticate']).toBeUndefined();
    });

    it('never believes a spoofed leftmost X-Forwarded-For entry', async () => {
      const { secret } = await insertToken(t, { allowedIps: ['10.0.0.0/8'] });
      const spoofed = await t.http.get(ME).set(bearer(secret)).set('X-Forwarded-For', '10.9.9.9, 198.51.100.23');
      expect(spoofed.status).toBe(403);
      const viaProxy = await t.http.get(ME).set(bearer(secret)).set('X-Forwarded-For', '198.51.100.23, 10.9.9.9, 127.0.0.1');
      expect(viaProxy.status).toBe(200);
    });

    it('lets blocked addresses win over allowed ones', async () => {
      const { secret } = await insertToken(t, { allowedIps: ['10.0.0.0/8'], blockedIps: ['10.6.0.0/16'] });
      expect((await t.http.get(ME).set(bearer(secret)).set('X-Forwarded-For', '10.5.0.1')).status).toBe(200);
      expect((await t.http.get(ME).set(bearer(secret)).set('X-Forwarded-For', '10.6.0.1')).status).toBe(403);
    });

    it('checks the origin only when the request has one', async () => {
      const { secret } = await insertToken(t, { allowedOrigins: ['https://*.example.com'] });
      expect((await t.http.get(ME).set(bearer(secret))).status).toBe(200);
      expect((await t.http.get(ME).set(bearer(secret)).set('Origin', 'https://app.example.com')).status).toBe(200);
      const res = await t.http.get(ME).set(bearer(secret)).set('Origin', 'https://evil.test');
      expect(res.status).toBe(403);
    });

    it('applies endpoint rules to the request path', async () => {
      const { secret } = await insertToken(t, { allowedEndpoints: ['GET /api/v1/auth/**'], blockedEndpoints: ['* /api/v1/auth/sessions'] });
      expect((await t.http.get(ME).set(bearer(secret))).status).toBe(200);
      expect((await t.http.get('/api/v1/auth/sessions').set(bearer(secret))).status).toBe(403);
      expect((await t.http.get('/api/v1/audit').set(bearer(secret))).status).toBe(403);
    });

    it('answers 403 insufficient_scope naming the permission the route needs', async () => {
      const { secret } = await insertToken(t, { scopes: ['tokens:read'] });
      const res = await t.http.get('/api/v1/audit').set(bearer(secret));
      expect(res.status).toBe(403);
      expect(challenge(res)).toBe('Bearer realm="tessera", error="insufficient_scope", scope="audit:read"');
      expect(res.body.detail).toContain('audit:read');
      expect((await t.http.get(ME).set(bearer(secret))).status).toBe(200); // @Authenticated needs no permission
    });

    it("applies the organization's IP allowlist to tokens and sessions alike", async () => {
      const org = await t.createOrg();
      const { secret } = await insertToken(t, { organizationId: org.organizationId });
      await setOrgAllowlist(t, org.organizationId, ['10.0.0.0/8']);
      try {
        for (const credential of [secret, org.token]) {
          expect((await t.http.get(ME).set(bearer(credential)).set('X-Forwarded-For', '10.0.0.5')).status).toBe(200);
          const res = await t.http.get(ME).set(bearer(credential)).set('X-Forwarded-For', '192.0.2.5');
          expect(res.status).toBe(403);
          expect(res.body.detail).toMatch(/organization/);
        }
        // other organizations are not affected
        expect((await t.http.get(ME).set(bearer(t.admin.token)).set('X-Forwarded-For', '192.0.2.5')).status).toBe(200);
      } finally {
        await setOrgAllowlist(t, org.organizationId, []);
      }
    });
  });

  it('refuses a token the moment it is revoked in the database (no stale state on this instance)', async () => {
    const { id, secret } = await insertToken(t);
    expect((await t.http.get(ME).set(bearer(secret))).status).toBe(200);
    await changeInDatabase(t, { kind: 'token', id }, 'UPDATE tokens SET revoked_at = now(), valid_to = now() WHERE id = $1', [id]);
    expect((await t.http.get(ME).set(bearer(secret))).status).toBe(401);
  });

  it('finds no route without an access declaration at start (the app would refuse to start)', () => {
    const { checked, undeclared } = t.app.get(RouteAccessCheck).scan();
    expect(checked).toBeGreaterThan(20);
    expect(undeclared).toEqual([]);
  });

  it('serves public routes without credentials', async () => {
    expect((await t.http.get('/api/v1/health/live')).status).toBe(200);
    expect((await t.http.get('/api/v1/health/ready')).body).toMatchObject({ status: 'ok' });
  });
});

describe('the guard fails closed', () => {
  it('refuses to start when a route declares no access rule', () => {
    @Controller('x')
    class Mixed {
      @Get('open')
      @Public()
      open(): void {
        /* declared */
      }

      @Get('forgotten')
      forgotten(): void {
        /* undeclared */
      }
    }
    const discovery = { getControllers: () => [{ instance: new Mixed(), metatype: Mixed }] } as unknown as DiscoveryService;
    const check = new RouteAccessCheck(discovery, new MetadataScanner(), new Reflector());
    expect(check.scan()).toEqual({ checked: 2, undeclared: ['Mixed.forgotten'] });
    expect(() => check.onApplicationBootstrap()).toThrow(/Mixed\.forgotten/);
  });

  it('refuses a route that declares neither @Public, @Authenticated nor @RequirePermission', async () => {
    const guard = Object.create(AccessGuard.prototype) as AccessGuard;
    Object.assign(guard, {
      reflector: new Reflector(),
      logger: { error: () => undefined },
      trust: { mode: 'none' },
    });
    class Undeclared {
      handler(): void {
        /* no access metadata */
      }
    }
    const req = { method: 'GET', url: '/x', headers: {}, socket: { remoteAddress: '127.0.0.1' } };
    const ctx = {
      getHandler: () => Undeclared.prototype.handler,
      getClass: () => Undeclared,
      switchToHttp: () => ({ getRequest: () => req, getResponse: () => ({}) }),
    } as unknown as ExecutionContext;
    expect(() => guard.canActivate(ctx)).toThrow(expect.objectContaining({ status: 403 }));
  });
});

describe('repeated failed authentications', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { TRUST_PROXY: 'loopback', AUTH_FAILURE_LIMIT: '3', AUTH_FAILURE_WINDOW_SECONDS: '60' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 with Retry-After to the failing address only, and recovers after the window', async () => {
    const { secret } = await insertToken(t);
    const attacker = '198.51.100.66';
    for (let i = 0; i < 3; i++) {
      expect((await t.http.get(ME).set(bearer(generateTokenSecret())).set('X-Forwarded-For', attacker)).status).toBe(401);
    }
    const limited = await t.http.get(ME).set(bearer(generateTokenSecret())).set('X-Forwarded-For', attacker);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
    const login = await t.http.post('/api/v1/auth/login').set('X-Forwarded-For', attacker).send({ email: t.admin.email, password: t.admin.password });
    expect(login.status).toBe(429);

    // a valid token from elsewhere is never slowed
    expect((await t.http.get(ME).set(bearer(secret)).set('X-Forwarded-For', '198.51.100.67')).status).toBe(200);
    expect((await t.http.get(ME).set(bearer(secret))).status).toBe(200);

    t.setNow(new Date(Date.now() + 61_000));
    try {
      expect((await t.http.get(ME).set(bearer(secret)).set('X-Forwarded-For', attacker)).status).toBe(200);
    } finally {
      t.setNow(null);
    }
  });

  it('counts wrong passwords too', async () => {
    const ip = '198.51.100.99';
    for (let i = 0; i < 3; i++) {
      const res = await t.http.post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email: t.admin.email, password: 'wrong-password-x' });
      expect(res.status).toBe(401);
    }
    const res = await t.http.post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email: t.admin.email, password: t.admin.password });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
  });
});
