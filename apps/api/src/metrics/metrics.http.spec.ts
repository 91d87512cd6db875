import { generateTokenSecret } from '@tessera/domain';
import { AuditService } from '../audit/audit.service';
import { UsageRecorder } from '../auth/usage-recorder';
import { aToken } from '../tokens/testing/a-token';
import { as } from '../tokens/testing/api-client';
import { bearer, createTestApp, type TestApp } from '../testing/test-app';
import { Metrics } from './metrics.service';

const METRIC_NAMES = [
  // prom-client's process defaults
  'process_cpu_user_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_seconds',
  'nodejs_heap_size_used_bytes',
  // Tessera's own
  'tessera_auth_decisions_total',
  'tessera_auth_cache_hits_total',
  'tessera_auth_cache_misses_total',
  'tessera_http_request_duration_seconds_bucket',
  'tessera_http_request_duration_seconds_sum',
  'tessera_http_request_duration_seconds_count',
  'tessera_change_notifications_total',
  'tessera_change_listener_connected',
  'tessera_usage_buffered_rows',
  'tessera_audit_buffered_rows',
];

/** The value of one sample line, e.g. `tessera_auth_cache_hits_total 3`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics (real app, real PostgreSQL)', () => {
  let t: TestApp;
  let scraper: string;

  beforeAll(async () => {
    t = await createTestApp();
    const res = await as(t, t.admin.token).post('/tokens', aToken().named('prometheus').withScopes('metrics:read').build()).expect(201);
    scraper = (res.body as { secret: string }).secret;
  });

  afterAll(async () => {
    await t?.close();
  });

  const scrape = (token = scraper) => t.http.get('/metrics').set(bearer(token));

  it('answers a metrics:read token with the Prometheus text format and every Tessera metric', async () => {
    const res = await scrape().expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of METRIC_NAMES) expect(res.text).toMatch(new RegExp(`^${name}[{ ]`, 'm'));
    expect(res.text).toContain('# TYPE tessera_http_request_duration_seconds histogram');
    expect(res.text).toContain('# TYPE tessera_auth_decisions_total counter');
  });

  it('refuses a token without metrics:read (403), and no token at all (401)', async () => {
    const res = await as(t, t.admin.token).post('/tokens', aToken().withScopes('tokens:read', 'audit:read').build()).expect(201);
    const other = (res.body as { secret: string }).secret;
    const refused = await scrape(other);
    expect(refused.status).toBe(403);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.text).not.toContain('tessera_');
    const anonymous = await t.http.get('/metrics');
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).not.toContain('tessera_');
  });

  it('refuses the token in the query string, the way Prometheus might be misconfigured to send it', async () => {
    const res = await t.http.get(`/metrics?access_token=${scraper}`);
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('tessera_');
  });

  it('is served at /metrics only, not under the api prefix', async () => {
    await t.http.get('/api/v1/metrics').set(bearer(scraper)).expect(404);
  });

  it('counts allowed and denied decisions by reason', async () => {
    const before = (await scrape().expect(200)).text;
    const allowedBefore = sample(before, 'tessera_auth_decisions_total{outcome="allowed",reason="ok"}') ?? 0;
    const unknownBefore = sample(before, 'tessera_auth_decisions_total{outcome="denied",reason="unknown"}') ?? 0;
    const malformedBefore = sample(before, 'tessera_auth_decisions_total{outcome="denied",reason="malformed"}') ?? 0;

    await t.http.get('/api/v1/auth/me').set(bearer(t.admin.token)).expect(200);
    await t.http.get('/api/v1/auth/me').set(bearer(generateTokenSecret())).expect(401);
    await t.http.get('/api/v1/auth/me').set(bearer('tsr_not-a-token')).expect(401);

    const after = (await scrape().expect(200)).text;
    // The scrape itself is an allowed decision too.
    expect(sample(after, 'tessera_auth_decisions_total{outcome="allowed",reason="ok"}')).toBe(allowedBefore + 2);
    expect(sample(after, 'tessera_auth_decisions_total{outcome="denied",reason="unknown"}')).toBe(unknownBefore + 1);
    expect(sample(after, 'tessera_auth_decisions_total{outcome="denied",reason="malformed"}')).toBe(malformedBefore + 1);
  });

  it('labels request durations by route template and status, never by the raw path', async () => {
    const id = '3f6c2b9e-8d1a-4c7e-9b2f-1a2b3c4d5e6f';
    await as(t, t.admin.token).get(`/tokens/${id}`).expect(404);
    await t.http.get('/no/such/route/42').expect(404);
    const text = (await scrape().expect(200)).text;
    expect(text).toMatch(/^tessera_http_request_duration_seconds_count\{route="\/api\/v1\/tokens\/:id",status="404"\} [1-9]/m);
    expect(text).toMatch(/^tessera_http_request_duration_seconds_count\{route="unmatched",status="404"\} [1-9]/m);
    expect(text).toMatch(/^tessera_http_request_duration_seconds_count\{route="\/api\/v1\/auth\/login",status="200"\} [1-9]/m);
    expect(text).not.toContain(id);
    expect(text).not.toContain('/no/such/route');
  });

  it('counts verification cache hits and misses, and shows the change listener connected', async () => {
    const hitsOf = async () => sample((await scrape().expect(200)).text, 'tessera_auth_cache_hits_total') ?? 0;
    const before = await hitsOf();
    // The scrape token itself is cached after its first use: each later scrape is a hit.
    expect(await hitsOf()).toBeGreaterThan(before);
    const text = (await scrape().expect(200)).text;
    expect(sample(text, 'tessera_auth_cache_misses_total')).toBeGreaterThan(0);
    expect(sample(text, 'tessera_change_listener_connected')).toBe(1);
  });

  it('counts change notifications from PostgreSQL', async () => {
    const countOf = async () => sample((await scrape().expect(200)).text, 'tessera_change_notifications_total') ?? 0;
    const before = await countOf();
    const res = await as(t, t.admin.token).post('/tokens', aToken().build()).expect(201);
    await as(t, t.admin.token).post(`/tokens/${(res.body as { token: { id: string } }).token.id}/revoke`, {}).expect(200);
    // Notifications arrive asynchronously over LISTEN: poll.
    for (let i = 0; i < 100 && (await countOf()) <= before; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await countOf()).toBeGreaterThan(before);
  });

  it('reports buffered usage and audit rows as held at scrape time, back to 0 after a flush', async () => {
    const metrics = t.app.get(Metrics);
    const gauge = async (name: string) => sample(await metrics.registry.getSingleMetricAsString(name), name);
    await t.flush();
    // Synchronously buffered, then read before any timer can flush them.
    const usage = t.app.get(UsageRecorder);
    usage.touch('token', '00000000-0000-4000-8000-000000000001', '127.0.0.1', new Date());
    usage.touch('token', '00000000-0000-4000-8000-000000000002', '127.0.0.1', new Date());
    // From a network with no refusal yet: written at once, not counted into a summary (issue 16).
    t.app.get(AuditService).recordDenied({
      organizationId: null,
      actor: null,
      action: 'auth.denied',
      targetType: null,
      targetId: null,
      targetName: null,
      ip: '198.51.100.99',
      userAgent: null,
      outcome: 'failure',
      reason: 'unknown',
      details: {},
    });
    expect(await gauge('tessera_usage_buffered_rows')).toBe(2);
    expect(await gauge('tessera_audit_buffered_rows')).toBe(1);
    await t.flush();
    expect(await gauge('tessera_usage_buffered_rows')).toBe(0);
    expect(await gauge('tessera_audit_buffered_rows')).toBe(0);
  });
});
