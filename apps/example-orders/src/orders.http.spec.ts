import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TesseraClient } from '@tessera/client';
import type { CreateTokenInput } from '@tessera/domain';
import { TesseraVerifier } from '@tessera/nest';
import request from 'supertest';
import { createOrdersApp } from './orders-app';
import { startTessera, type TestApp } from './testing/real-tessera';

/** Polls until `probe` holds, for at most `ms` (a functional deadline, not a measurement). */
async function within(ms: number, what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the orders service, protected by @tessera/nest against a real Tessera', () => {
  let tessera: TestApp;
  let admin: TesseraClient;
  let orders: NestFastifyApplication;
  let url: string;
  let verifier: TesseraVerifier;
  let serviceSecret: string;
  let n = 0;

  const token = async (body: Partial<CreateTokenInput>): Promise<{ id: string; secret: string }> => {
    const { token: t, secret } = await admin.tokens.create({ name: `caller ${++n}`, ...body } as CreateTokenInput);
    return { id: t.id, secret };
  };
  const get = (secret: string | null, path = '/orders') => {
    const req = request(url).get(path);
    return secret === null ? req : req.set('Authorization', `Bearer ${secret}`);
  };

  beforeAll(async () => {
    tessera = await startTessera();
    admin = new TesseraClient({ url: tessera.url, credential: tessera.admin.token });
    // The orders service's own credential: introspection and the change stream, nothing else.
    serviceSecret = (await admin.tokens.create({ name: 'orders service', scopes: ['tokens:introspect', 'changes:read'] })).secret;
    orders = await createOrdersApp({ url: tessera.url, credential: serviceSecret }, { logs: false });
    await orders.listen({ port: 0, host: '127.0.0.1' });
    url = await orders.getUrl();
    url = url.replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
    verifier = orders.get(TesseraVerifier);
    await within(10_000, 'the orders service follows the change stream', async () => verifier.stats().live);
  });

  afterAll(async () => {
    await orders?.close();
    await tessera?.close();
  });

  it('lets a token with orders:read read, and refuses the one without (403, naming the scope)', async () => {
    const reader = await token({ scopes: ['orders:read'] });
    expect((await get(reader.secret).expect(200)).body).toEqual([]);
    const other = await token({ scopes: ['tokens:read'] });
    const refused = await get(other.secret).expect(403);
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="tessera", error="insufficient_scope", scope="orders:read"');
    expect(refused.body).toMatchObject({ status: 403, detail: 'The token lacks the permission "orders:read"' });
    const write = await request(url).post('/orders').set('Authorization', `Bearer ${reader.secret}`).send({ item: 'tea', quantity: 2 }).expect(403);
    expect(write.headers['www-authenticate']).toContain('scope="orders:write"');
  });

  it("refuses another organization's token, whatever it holds (attacker: a valid token of the wrong tenant)", async () => {
    const other = await tessera.createOrg('Someone else');
    const theirs = new TesseraClient({ url: tessera.url, credential: other.token });
    const { secret } = await theirs.tokens.create({ name: 'their reader', scopes: ['*:*'] });
    const refused = await get(secret).expect(401);
    expect(refused.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('places an order for a token with orders:write, and names a bad field', async () => {
    const writer = await token({ scopes: ['orders:read', 'orders:write'] });
    const placed = await request(url).post('/orders').set('Authorization', `Bearer ${writer.secret}`).send({ item: 'tea', quantity: 2 }).expect(201);
    expect(placed.body).toMatchObject({ item: 'tea', quantity: 2, placedBy: writer.id });
    const bad = await request(url).post('/orders').set('Authorization', `Bearer ${writer.secret}`).send({ item: 'tea', quantity: 0 }).expect(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'quantity' })]);
  });

  it('answers 401 with a challenge without a token, and for a forged one without asking Tessera', async () => {
    const none = await get(null).expect(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="tessera"');
    const reader = await token({ scopes: ['orders:read'] });
    const asked = verifier.stats().introspections;
    const forged = reader.secret.slice(0, -1) + (reader.secret.endsWith('A') ? 'B' : 'A');
    const refused = await get(forged).expect(401);
    expect(refused.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(verifier.stats().introspections).toBe(asked);
    expect((await request(url).get('/orders').set('Authorization', 'Basic abc').expect(401)).headers['www-authenticate']).toBe('Bearer realm="tessera"');
    await request(url).get('/orders').set('Authorization', 'Bearer two words').expect(400);
    await request(url).get('/health').expect(200);
  });

  it("holds the token's IP rules here too (the service forwards the client address), and a spoofed X-Forwarded-For changes nothing", async () => {
    const elsewhere = await token({ scopes: ['orders:read'], allowedIps: ['10.0.0.0/8'] });
    const refused = await get(elsewhere.secret).expect(403);
    expect(refused.body.detail).toBe("The client IP address is not in the token's allowed IP list");
    await get(elsewhere.secret).set('X-Forwarded-For', '10.1.2.3').expect(403);
    const here = await token({ scopes: ['orders:read'], allowedIps: ['127.0.0.1/32'] });
    await get(here.secret).expect(200);
    const blocked = await token({ scopes: ['orders:read'], blockedIps: ['127.0.0.0/8'] });
    await get(blocked.secret).expect(403);
  });

  it('holds endpoint and origin rules for this service’s own paths', async () => {
    const onlyReads = await token({ scopes: ['orders:read', 'orders:write'], allowedEndpoints: ['GET /orders'] });
    await get(onlyReads.secret).expect(200);
    await request(url).post('/orders').set('Authorization', `Bearer ${onlyReads.secret}`).send({ item: 'tea', quantity: 1 }).expect(403);
    const shop = await token({ scopes: ['orders:read'], allowedOrigins: ['https://shop.example.com'] });
    await get(shop.secret).set('Origin', 'https://shop.example.com').expect(200);
    await get(shop.secret).set('Origin', 'https://evil.example.net').expect(403);
  });

  it('refuses a token revoked in Tessera within 1 s, though its answer was cached', async () => {
    const reader = await token({ scopes: ['orders:read'] });
    await get(reader.secret).expect(200);
    const hits = verifier.stats().hits;
    await get(reader.secret).expect(200);
    expect(verifier.stats().hits).toBe(hits + 1); // the second answer came from the cache
    await admin.tokens.revoke(reader.id);
    await within(1_000, 'the revoked token is refused', async () => (await get(reader.secret)).status === 401);
  });

  it('follows edits made in Tessera: deactivate, activate, a role losing the permission', async () => {
    const deactivated = await token({ scopes: ['orders:read'] });
    await get(deactivated.secret).expect(200);
    await admin.tokens.deactivate(deactivated.id);
    await within(1_000, 'the deactivated token is refused', async () => (await get(deactivated.secret)).status === 401);
    await admin.tokens.activate(deactivated.id);
    await within(1_000, 'the activated token works again', async () => (await get(deactivated.secret)).status === 200);

    const role = await admin.roles.create({ name: 'order readers', permissions: ['orders:read'] });
    const member = await token({ roleId: role.id });
    await get(member.secret).expect(200);
    await admin.roles.update(role.id, { permissions: ['audit:read'] });
    await within(1_000, 'the role edit holds', async () => (await get(member.secret)).status === 403);

  });

  it("holds the organization's IP allowlist for the client address a service behind a proxy forwards", async () => {
    // This instance sits behind a proxy on the loopback: it takes the client from X-Forwarded-For.
    const behindProxy = await createOrdersApp(
      {
        url: tessera.url,
        credential: serviceSecret,
        clientIp: (req) => {
          const forwarded = req.headers['x-forwarded-for'];
          const last = typeof forwarded === 'string' ? forwarded.split(',').at(-1)?.trim() : undefined;
          return last || '127.0.0.1';
        },
      },
      { logs: false },
    );
    try {
      await behindProxy.listen({ port: 0, host: '127.0.0.1' });
      const proxied = (await behindProxy.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
      const fromOutside = () => request(proxied).get('/orders').set('Authorization', `Bearer ${reader.secret}`).set('X-Forwarded-For', '203.0.113.7');
      const reader = await token({ scopes: ['orders:read'] });
      await within(10_000, 'the second instance follows the change stream', async () => behindProxy.get(TesseraVerifier).stats().live);
      await fromOutside().expect(200);
      // Tessera itself, the admin and the services are all on 127.0.0.1; 203.0.113.7 is not.
      await admin.security.setIpAllowlist({ entries: [{ cidr: '127.0.0.0/8' }] });
      await within(1_000, 'the allowlist holds downstream', async () => (await fromOutside()).status === 403);
      expect((await fromOutside()).body.detail).toBe("The client IP address is not in the organization's IP allowlist");
    } finally {
      await admin.security.setIpAllowlist({ entries: [] });
      await behindProxy.close();
    }
  });

  it('answers 503 (never 401) while Tessera cannot be asked', async () => {
    const lost = await createOrdersApp({ url: 'http://127.0.0.1:9', credential: 'tsr_unused' }, { logs: false });
    try {
      await lost.listen({ port: 0, host: '127.0.0.1' });
      const reader = await token({ scopes: ['orders:read'] });
      const res = await request(await lost.getUrl()).get('/orders').set('Authorization', `Bearer ${reader.secret}`);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
    } finally {
      await lost.close();
    }
  });
});
