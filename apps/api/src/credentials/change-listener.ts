import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { type Change, CHANGE_KINDS, CHANGES_CHANNEL } from './change-notifier';

export interface ChangeFeedEvents {
  /** A change committed by any instance (this one included). */
  change(change: Change): void;
  /** A notification that cannot be read: treat as "anything may have changed". */
  unknown(): void;
  /** LISTEN is in place: from now on every committed change is heard. */
  listening(): void;
  /** The connection is gone: changes may be missed until `listening` fires again. */
  lost(reason: string): void;
  /**
   * A heartbeat came back: every change committed before `asOf` (a `performance.now()` reading,
   * taken when the heartbeat was sent) has been reported. Fired right after `listening` and after
   * each answered ping.
   */
  alive?(asOf: number): void;
}

/**
 * How the change feed proves it is alive (docs/security.md "Change feed liveness"). A `SELECT 1`
 * every 250 ms on the listening connection; one unanswered for 400 ms drops the connection (a
 * silently dead one is noticed within 250 + 400 ms); and the cache trusts its entries only while
 * the last answered heartbeat was sent less than 750 ms ago, so even a late timer cannot stretch
 * that bound. PostgreSQL sends a listener the notifications committed before a query ahead of that
 * query's answer: an answered ping sent at T means every change committed before T was heard.
 * TCP keepalive cannot do this: Linux counts its idle time and probe interval in whole seconds.
 */
/** A reconnect attempt that gets no answer within this long is given up (and retried after the backoff). */
const CONNECT_TIMEOUT_MS = 2_000;

export const CHANGE_FEED_LIVENESS = {
  pingIntervalMs: 250,
  pingTimeoutMs: 400,
  maxHeartbeatAgeMs: 750,
} as const;

export interface ChangeListenerOptions {
  /** First reconnect delay; doubles up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** A `SELECT 1` on the listening connection this often detects a silently dead connection. */
  pingIntervalMs?: number;
  /** A ping unanswered this long drops the connection (then `lost`, and a reconnect). */
  pingTimeoutMs?: number;
  /** The connection's application_name (default `tessera-listener`, the verification cache's). */
  applicationName?: string;
}

/**
 * A dedicated PostgreSQL connection (not from the pool) that LISTENs on `tessera_changes` and
 * reports what changed. When the connection drops (or leaves a ping unanswered for
 * `pingTimeoutMs`: a silently dead connection) it reports `lost` at once and reconnects with
 * backoff; `listening` is reported only after LISTEN succeeded again. Every answered ping is
 * reported as `alive`.
 */
export class ChangeListener {
  private readonly logger = new Logger(ChangeListener.name);
  private client: Client | null = null;
  private stopped = false;
  private backoff: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  /** The ping waiting for its answer (one at a time), with the timer that gives up on it. */
  private pending: { client: Client; timeout: NodeJS.Timeout } | null = null;
  private readonly options: Required<ChangeListenerOptions>;

  constructor(
    private readonly connectionString: string,
    private readonly events: ChangeFeedEvents,
    options: ChangeListenerOptions = {},
  ) {
    this.options = {
      minBackoffMs: options.minBackoffMs ?? 100,
      maxBackoffMs: options.maxBackoffMs ?? 5_000,
      pingIntervalMs: options.pingIntervalMs ?? CHANGE_FEED_LIVENESS.pingIntervalMs,
      pingTimeoutMs: options.pingTimeoutMs ?? CHANGE_FEED_LIVENESS.pingTimeoutMs,
      applicationName: options.applicationName ?? 'tessera-listener',
    };
    this.backoff = this.options.minBackoffMs;
  }

  /** True while LISTEN is in place. */
  get isListening(): boolean {
    return this.client !== null;
  }

  /** Connects and LISTENs. Throws if the first attempt fails (the app should not start then). */
  async start(): Promise<void> {
    await this.connect();
    this.pingTimer = setInterval(() => this.ping(), this.options.pingIntervalMs);
    this.pingTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.clearPending();
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.connectionString,
      application_name: this.options.applicationName,
      keepAlive: true,
      // A connect into a network that drops packets would otherwise wait for the kernel (minutes).
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    client.on('error', (err) => this.drop(client, err.message));
    client.on('end', () => this.drop(client, 'connection ended'));
    client.on('notification', (msg) => {
      if (msg.channel !== CHANGES_CHANNEL) return;
      const change = parseChange(msg.payload);
      if (change) this.events.change(change);
      else this.events.unknown();
    });
    let listenedAt: number;
    try {
      await client.connect();
      listenedAt = performance.now();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.backoff = this.options.minBackoffMs;
    this.events.listening();
    this.events.alive?.(listenedAt);
  }

  /**
   * Tries to reconnect now instead of after the current backoff (the database is known to be back).
   * No-op while connected or stopped.
   */
  reconnectNow(): void {
    if (this.stopped || this.client || !this.reconnectTimer) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.backoff = this.options.minBackoffMs;
    this.reconnect();
  }

  /**
   * The connection `client` is gone (reported once per connection). `silent`: it stopped answering,
   * so its socket is destroyed rather than ended politely over a link that carries nothing.
   */
  private drop(client: Client, reason: string, silent = false): void {
    if (this.client !== client) return;
    this.client = null;
    this.clearPending();
    client.removeAllListeners('end');
    client.on('error', () => undefined);
    if (silent) client.connection.stream.destroy();
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    this.logger.warn(`change feed lost (${reason}); verification cache bypassed until it is back`);
    this.events.lost(reason);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.options.maxBackoffMs);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.reconnect();
    }, delay);
    this.reconnectTimer.unref();
  }

  private reconnect(): void {
    this.connect().then(
      () => {
        if (!this.stopped) this.logger.log('change feed listening again; verification cache back in use');
      },
      (err: Error) => {
        // debug: during a database outage this fails every few seconds; DatabaseAvailability warns once.
        this.logger.debug(`change feed reconnect failed: ${err.message}`);
        this.scheduleReconnect();
      },
    );
  }

  /**
   * One `SELECT 1` at a time. Its answer reports `alive` with the time it was sent; no answer within
   * pingTimeoutMs drops the connection. The timeout looks once more after the event loop's I/O
   * phase (setImmediate) so that an answer already received but not yet read (the loop was busy)
   * is not taken for silence.
   */
  private ping(): void {
    const client = this.client;
    if (!client || this.stopped || this.pending) return;
    const sentAt = performance.now();
    const timeout = setTimeout(() => {
      setImmediate(() => {
        if (this.pending?.client === client) this.drop(client, `no answer to a ping within ${this.options.pingTimeoutMs} ms`, true);
      });
    }, this.options.pingTimeoutMs);
    timeout.unref();
    const pending = { client, timeout };
    this.pending = pending;
    client.query('SELECT 1').then(
      () => {
        if (this.pending !== pending) return;
        this.clearPending();
        if (this.client === client) this.events.alive?.(sentAt);
      },
      (err: Error) => {
        if (this.pending === pending) this.clearPending();
        this.drop(client, err.message);
      },
    );
  }

  private clearPending(): void {
    if (this.pending) clearTimeout(this.pending.timeout);
    this.pending = null;
  }
}

export function parseChange(payload: string | undefined): Change | null {
  if (!payload) return null;
  try {
    const value = JSON.parse(payload) as Partial<Change>;
    if (typeof value.id !== 'string' || !(CHANGE_KINDS as readonly string[]).includes(value.kind as string)) return null;
    const change: Change = { kind: value.kind as Change['kind'], id: value.id };
    if (typeof value.org === 'string') change.org = value.org;
    return change;
  } catch {
    return null;
  }
}
