import type { Response } from 'supertest';
import { bearer, createTestApp, type TestApp, type TestOrg } from '../testing/test-app';
import { PasswordHasher } from './password-hasher';

const LOGIN = '/api/v1/auth/login';
const START = new Date('2031-03-01T09:00:00Z');

/** Everything a client sees of an answer, except the time it was sent. */
function wire(res: Response): { status: number; headers: Record<string, unknown>; body: string } {
  const headers = Object.fromEntries(Object.entries(res.headers).filter(([name]) => name !== 'date'));
  return { status: res.status, headers, body: res.text };
}

/** Resolves once `condition` holds (polls the in-process state; no timing is asserted). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error('condition never held');
}

describe('login throttling that rotating addresses do not escape', () => {
  let t: TestApp;
  let org: TestOrg;
  beforeAll(async () => {
    t = await createTestApp({
      now: () => START,
      env: {
        TRUST_PROXY: 'loopback',
        AUTH_FAILURE_LIMIT: '3',
        AUTH_FAILURE_WINDOW_SECONDS: '60',
        AUTH_ACCOUNT_FAILURE_LIMIT: '3',
        AUTH_ACCOUNT_FAILURE_WINDOW_SECONDS: '600',
        PASSWORD_HASH_CONCURRENCY: '1',
        PASSWORD_HASH_QUEUE: '2',
      },
    });
    org = await t.createOrg();
  });
  afterAll(async () => {
    await t?.close();
  });

  let n = 0;
  /** A different account name per call, so only the address counts. */
  const freshEmail = () => `nobody${++n}@org.test`;
  const login = (ip: string, email: string, password: string) =>
    t.http.post(LOGIN).set('X-Forwarded-For', ip).send({ email, password });

  describe('per IPv6 /64', () => {
    it('throttles an attacker who rotates through the addresses of one /64', async () => {
      for (const ip of ['2001:db8:aa:1::1', '2001:db8:aa:1::2', '2001:db8:aa:1:ffff:ffff:ffff:fffe']) {
        expect((await login(ip, freshEmail(), 'wrong-password-1')).status).toBe(401);
      }
      // A fourth address of the same /64, now with the right password of a real account.
      const limited = await login('2001:DB8:AA:1:1234:5678:9abc:def0', org.email, org.password);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // The neighbouring /64 is somebody else.
      expect((await login('2001:db8:aa:2::1', org.email, org.password)).status).toBe(200);
    });

    it('throttles bad bearer tokens from rotating addresses of one /64 on protected routes too', async () => {
      for (let i = 1; i <= 3; i++) {
        const res = await t.http.get('/api/v1/auth/me').set('X-Forwarded-For', `2001:db8:bb:7::${i}`).set(bearer('tss_not-a-session'));
        expect(res.status).not.toBe(429);
      }
      const limited = await t.http.get('/api/v1/auth/me').set('X-Forwarded-For', '2001:db8:bb:7:abcd::9').set(bearer(org.token));
      expect(limited.status).toBe(429);
      expect((await t.http.get('/api/v1/auth/me').set('X-Forwarded-For', '2001:db8:bb:8::1').set(bearer(org.token))).status).toBe(200);
    });

    it('counts an IPv4-mapped IPv6 address as its IPv4 address', async () => {
      for (let i = 0; i < 3; i++) expect((await login('::ffff:198.51.100.77', freshEmail(), 'wrong-password-1')).status).toBe(401);
      expect((await login('198.51.100.77', org.email, org.password)).status).toBe(429);
    });
  });

  describe('per account', () => {
    it('throttles an account attacked from rotating IPv4 addresses, with one answer whatever the password', async () => {
      const victim = await t.createOrg();
      for (let i = 1; i <= 3; i++) expect((await login(`203.0.113.${i}`, victim.email, 'wrong-password-2')).status).toBe(401);

      const right = await login('203.0.113.50', victim.email, victim.password);
      const wrong = await login('203.0.113.51', victim.email, 'wrong-password-3');
      const shouted = await login('203.0.113.52', victim.email.toUpperCase(), victim.password);
      expect(right.status).toBe(429);
      expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
      expect(wire(right)).toEqual(wire(wrong));
      expect(wire(shouted)).toEqual(wire(wrong));
      // Other accounts, from the same addresses, are untouched.
      expect((await login('203.0.113.1', org.email, org.password)).status).toBe(200);
    });

    it('throttles an unknown email exactly like a real one (no oracle for which emails exist)', async () => {
      const victim = await t.createOrg();
      const ghost = 'ghost.account@org.test';
      for (let i = 1; i <= 3; i++) {
        await login(`203.0.113.${100 + i}`, victim.email, 'wrong-password-4');
        await login(`203.0.113.${110 + i}`, ghost, 'wrong-password-4');
      }
      const real = await login('203.0.113.120', victim.email, victim.password);
      const none = await login('203.0.113.121', ghost, victim.password);
      expect(real.status).toBe(429);
      expect(wire(none)).toEqual(wire(real));
    });

    it('lets the account log in again when its window has passed', async () => {
      const victim = await t.createOrg();
      for (let i = 1; i <= 3; i++) await login(`203.0.113.${200 + i}`, victim.email, 'wrong-password-5');
      expect((await login('203.0.113.210', victim.email, victim.password)).status).toBe(429);
      t.setNow(new Date(START.getTime() + 601_000));
      try {
        expect((await login('203.0.113.211', victim.email, victim.password)).status).toBe(200);
      } finally {
        t.setNow(START);
      }
    });
  });

  describe('argon2 queue', () => {
    it('answers 503 + Retry-After beyond the queue, serves the queued logins and keeps running', async () => {
      const slots = t.app.get(PasswordHasher).slots;
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const held = slots.run(() => gate); // the only slot is busy
      try {
        const queued = [
          login('192.0.2.1', org.email, org.password).then((r) => r),
          login('192.0.2.2', freshEmail(), 'wrong-password-6').then((r) => r),
        ];
        await until(() => slots.state().queued === 2);

        const flood = await Promise.all(
          Array.from({ length: 30 }, (_, i) => login(`192.0.2.${10 + i}`, i % 2 ? org.email : freshEmail(), 'whatever-password')),
        );
        expect(flood.map((r) => r.status)).toEqual(flood.map(() => 503));
        expect(flood[0]?.headers['retry-after']).toBe('1');
        expect(flood[0]?.headers['content-type']).toContain('application/problem+json');
        expect(wire(flood[1] as Response)).toEqual(wire(flood[0] as Response)); // known and unknown email alike
        expect(slots.state()).toEqual({ running: 1, queued: 2 });
        expect((await t.http.get('/api/v1/health/live')).status).toBe(200);

        release();
        const [ok, refused] = await Promise.all(queued);
        expect(ok?.status).toBe(200);
        expect(refused?.status).toBe(401);
      } finally {
        release();
        await held;
      }
      expect(slots.state()).toEqual({ running: 0, queued: 0 });
      // A 503 is not a failed authentication: the flooded addresses are not throttled.
      expect((await login('192.0.2.11', org.email, org.password)).status).toBe(200);
    });
  });
});
