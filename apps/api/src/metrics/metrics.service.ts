import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Credentials } from '../credentials/credentials.service';

/** Upper bounds (seconds) of the request-duration histogram: 1 ms … 5 s. */
export const HTTP_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The label of requests that matched no route (404s). */
export const UNMATCHED_ROUTE = 'unmatched';

/** Rows held in memory until the next flush, by kind; read when /metrics is scraped. */
export type BufferKind = 'usage' | 'audit';

interface Observer {
  observe(value: number): void;
}

/**
 * Tessera's Prometheus metrics, in a registry of its own per app (tests run several apps in one
 * process). The guard and Credentials are hot paths: they bump plain numbers (here, and in
 * `Credentials.stats`), which become counters only when /metrics is scraped. Request durations go
 * straight into a histogram child cached per (route template, status), so a request costs two Map
 * lookups and one observe.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  /** Hot-path tallies, published by the collectors below on scrape. */
  private readonly tally = {
    allowed: 0,
    denied: new Map<string, number>(),
    buffers: new Map<BufferKind, () => number>(),
  };
  private readonly httpDuration: Histogram<'route' | 'status'>;
  private readonly httpChildren = new Map<string, Map<number, Observer>>();

  constructor(credentials: Credentials) {
    collectDefaultMetrics({ register: this.registry });
    const tally = this.tally;
    // Credentials keeps its own tallies (it sits below the features and reports to none of them).
    const stats = credentials.stats;
    new Counter({
      name: 'tessera_auth_decisions_total',
      help: 'Decisions of the access guard on routes that need authentication, by outcome and reason',
      labelNames: ['outcome', 'reason'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc({ outcome: 'allowed', reason: 'ok' }, tally.allowed);
        for (const [reason, count] of tally.denied) this.inc({ outcome: 'denied', reason }, count);
      },
    });
    new Counter({
      name: 'tessera_auth_cache_hits_total',
      help: 'Credential lookups answered by the verification cache',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(stats.cacheHits);
      },
    });
    new Counter({
      name: 'tessera_auth_cache_misses_total',
      help: 'Credential lookups that went to the database (cache enabled but not holding the secret)',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(stats.cacheMisses);
      },
    });
    new Counter({
      name: 'tessera_change_notifications_total',
      help: 'Change notifications received over PostgreSQL LISTEN (cache invalidations from any instance)',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(stats.notifications);
      },
    });
    new Gauge({
      name: 'tessera_change_listener_connected',
      help: '1 while the LISTEN connection for cache invalidation is up, else 0 (the cache is bypassed)',
      registers: [this.registry],
      collect() {
        this.set(stats.listenerConnected ? 1 : 0);
      },
    });
    new Gauge({
      name: 'tessera_usage_buffered_rows',
      help: 'Token and session usage updates held in memory until the next flush',
      registers: [this.registry],
      collect() {
        this.set(tally.buffers.get('usage')?.() ?? 0);
      },
    });
    new Gauge({
      name: 'tessera_audit_buffered_rows',
      help: 'Refused-authentication audit rows held in memory until the next flush',
      registers: [this.registry],
      collect() {
        this.set(tally.buffers.get('audit')?.() ?? 0);
      },
    });
    this.httpDuration = new Histogram({
      name: 'tessera_http_request_duration_seconds',
      help: 'Time from request received to response sent, by route template and status code',
      labelNames: ['route', 'status'] as const,
      buckets: HTTP_DURATION_BUCKETS,
      registers: [this.registry],
    });
  }

  /** The guard let a request through. */
  authAllowed(): void {
    this.tally.allowed++;
  }

  /** The guard refused a request; `reason` is one of a closed set (deny reasons, 'throttled', …). */
  authDenied(reason: string): void {
    this.tally.denied.set(reason, (this.tally.denied.get(reason) ?? 0) + 1);
  }

  /** Registers what a buffered writer holds now; read on every scrape. */
  bufferedRows(kind: BufferKind, read: () => number): void {
    this.tally.buffers.set(kind, read);
  }

  /** One answered request: `route` is the route template (`/api/v1/tokens/:id`), never the raw URL. */
  observeRequest(route: string | undefined, status: number, seconds: number): void {
    const template = route ?? UNMATCHED_ROUTE;
    let byStatus = this.httpChildren.get(template);
    if (!byStatus) {
      byStatus = new Map();
      this.httpChildren.set(template, byStatus);
    }
    let child = byStatus.get(status);
    if (!child) {
      child = this.httpDuration.labels(template, String(status));
      byStatus.set(status, child);
    }
    child.observe(seconds);
  }

  /** The text exposition format. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
