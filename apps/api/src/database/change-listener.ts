import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { type Change, CHANGE_KINDS, CHANGES_CHANNEL } from '../auth/auth-events';

export interface ChangeFeedEvents {
  /** A change committed by any instance (this one included). */
  change(change: Change): void;
  /** A notification that cannot be read: treat as "anything may have changed". */
  unknown(): void;
  /** LISTEN is in place: from now on every committed change is heard. */
  listening(): void;
  /** The connection is gone: changes may be missed until `listening` fires again. */
  lost(reason: string): void;
}

export interface ChangeListenerOptions {
  /** First reconnect delay; doubles up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** A `SELECT 1` on the listening connection this often detects a silently dead connection. */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
}

/**
 * A dedicated PostgreSQL connection (not from the pool) that LISTENs on `tessera_changes` and
 * reports what changed. When the connection drops (or stops answering pings) it reports `lost`
 * at once and reconnects with backoff; `listening` is reported only after LISTEN succeeded again.
 */
export class ChangeListener {
  private readonly logger = new Logger(ChangeListener.name);
  private client: Client | null = null;
  private stopped = false;
  private backoff: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private readonly options: Required<ChangeListenerOptions>;

  constructor(
    private readonly connectionString: string,
    private readonly events: ChangeFeedEvents,
    options: ChangeListenerOptions = {},
  ) {
    this.options = {
      minBackoffMs: options.minBackoffMs ?? 100,
      maxBackoffMs: options.maxBackoffMs ?? 5_000,
      pingIntervalMs: options.pingIntervalMs ?? 5_000,
      pingTimeoutMs: options.pingTimeoutMs ?? 3_000,
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
    this.pingTimer = setInterval(() => void this.ping(), this.options.pingIntervalMs);
    this.pingTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.connectionString, application_name: 'tessera-listener', keepAlive: true });
    client.on('error', (err) => this.drop(client, err.message));
    client.on('end', () => this.drop(client, 'connection ended'));
    client.on('notification', (msg) => {
      if (msg.channel !== CHANGES_CHANNEL) return;
      const change = parseChange(msg.payload);
      if (change) this.events.change(change);
      else this.events.unknown();
    });
    try {
      await client.connect();
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
  }

  /** The connection `client` is gone (reported once per connection). */
  private drop(client: Client, reason: string): void {
    if (this.client !== client) return;
    this.client = null;
    client.removeAllListeners('end');
    client.on('error', () => undefined);
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
    }, delay);
    this.reconnectTimer.unref();
  }

  private async ping(): Promise<void> {
    const client = this.client;
    if (!client || this.stopped) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('ping timed out')), this.options.pingTimeoutMs);
    });
    try {
      await Promise.race([client.query('SELECT 1'), timeout]);
    } catch (err) {
      this.drop(client, (err as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }
}

export function parseChange(payload: string | undefined): Change | null {
  if (!payload) return null;
  try {
    const value = JSON.parse(payload) as Partial<Change>;
    if (typeof value.id !== 'string' || !(CHANGE_KINDS as readonly string[]).includes(value.kind as string)) return null;
    return { kind: value.kind as Change['kind'], id: value.id };
  } catch {
    return null;
  }
}
