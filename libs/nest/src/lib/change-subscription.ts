import { API_PREFIX, type Credential, normalizeBaseUrl } from '@tessera/client';
import type { ChangeEventDto, ChangeStreamReady, ChangeStreamReset } from '@tessera/domain';
import { EventStreamParser, type ParsedEvent } from './event-stream-parser.js';

export interface ChangeSubscriptionOptions {
  /** Tessera's base URL (`http://127.0.0.1:3000`). */
  url: string;
  /** A credential holding `changes:read`. */
  credential: Credential;
  fetch?: typeof globalThis.fetch;
  /** The heartbeat asked of Tessera (default 250 ms). */
  heartbeatMs?: number;
  /** The stream is trusted only while something arrived this recently (default 750 ms). */
  trustWindowMs?: number;
  /** Silent this long: the connection is given up and made again (default 2 000 ms). */
  deadAfterMs?: number;
  /** First reconnect delay, doubled per failure up to maxBackoffMs (defaults 100 ms, 10 000 ms). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  now?: () => number;
}

export interface ChangeSubscriptionEvents {
  /** A change of the organization: drop what depends on it. */
  change(change: ChangeEventDto): void;
  /** Drop everything (disconnected, a reset, a stream that could not resume). */
  reset(reason: string): void;
  /** The stream is open (after `ready`). */
  connected?(): void;
  /** A connection attempt failed or a stream ended (for logs). */
  problem?(message: string): void;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });

/**
 * Tessera's change stream (`GET /api/v1/changes`, Server-Sent Events) kept open: reconnects with
 * exponential backoff (and jitter), reports `reset` whenever it was not listening, and is `live`
 * only while the stream is open and a heartbeat or event came within the trust window.
 */
export class ChangeSubscription {
  private readonly opts: Required<Omit<ChangeSubscriptionOptions, 'fetch' | 'credential' | 'url'>>;
  private readonly fetchImpl: typeof globalThis.fetch;
  private readonly base: string;
  private readonly stopper = new AbortController();
  private connection: AbortController | null = null;
  private connected = false;
  private lastHeard = -Infinity;
  private running: Promise<void> | null = null;

  constructor(
    private readonly options: ChangeSubscriptionOptions,
    private readonly events: ChangeSubscriptionEvents,
  ) {
    this.base = normalizeBaseUrl(options.url);
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.opts = {
      heartbeatMs: options.heartbeatMs ?? 250,
      trustWindowMs: options.trustWindowMs ?? 750,
      deadAfterMs: options.deadAfterMs ?? 2_000,
      minBackoffMs: options.minBackoffMs ?? 100,
      maxBackoffMs: options.maxBackoffMs ?? 10_000,
      now: options.now ?? (() => performance.now()),
    };
  }

  /** Open and recently heard from: cached answers may be used. */
  get isLive(): boolean {
    return this.connected && this.opts.now() - this.lastHeard <= this.opts.trustWindowMs;
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    this.connection?.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    let backoff = this.opts.minBackoffMs;
    while (!this.stopper.signal.aborted) {
      const opened = await this.connectOnce();
      if (this.stopper.signal.aborted) break;
      if (opened) backoff = this.opts.minBackoffMs;
      // Full jitter: many services restarting together do not come back in step.
      await sleep(backoff / 2 + Math.random() * (backoff / 2), this.stopper.signal);
      backoff = Math.min(backoff * 2, this.opts.maxBackoffMs);
    }
  }

  /** One connection, until it ends. True when it got as far as `ready`. */
  private async connectOnce(): Promise<boolean> {
    const connection = new AbortController();
    this.connection = connection;
    let opened = false;
    let watchdog: ReturnType<typeof setInterval> | undefined;
    try {
      const credential = typeof this.options.credential === 'function' ? await this.options.credential() : this.options.credential;
      const res = await this.fetchImpl(`${this.base}${API_PREFIX}/changes?heartbeat=${this.opts.heartbeatMs}`, {
        headers: { accept: 'text/event-stream', ...(credential ? { authorization: `Bearer ${credential}` } : {}) },
        signal: connection.signal,
      });
      if (res.status !== 200 || !res.body) {
        await res.body?.cancel().catch(() => undefined);
        this.events.problem?.(`GET /changes answered ${res.status}`);
        return false;
      }
      this.lastHeard = this.opts.now();
      watchdog = setInterval(() => {
        if (this.opts.now() - this.lastHeard > this.opts.deadAfterMs) connection.abort();
      }, Math.max(50, Math.min(250, this.opts.deadAfterMs / 4)));
      watchdog.unref?.();
      const parser = new EventStreamParser(
        (e) => {
          if (this.handle(e)) opened = true;
        },
        () => undefined,
      );
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        this.lastHeard = this.opts.now();
        parser.push(value);
      }
      this.events.problem?.('the change stream ended');
    } catch (err) {
      if (!this.stopper.signal.aborted) this.events.problem?.(`the change stream failed: ${(err as Error).message}`);
    } finally {
      if (watchdog) clearInterval(watchdog);
      connection.abort();
      this.connection = null;
      this.connected = false;
      this.events.reset('disconnected from the change stream');
    }
    return opened;
  }

  /** True for `ready`. */
  private handle(e: ParsedEvent): boolean {
    try {
      if (e.event === 'change') {
        this.events.change(JSON.parse(e.data) as ChangeEventDto);
      } else if (e.event === 'reset') {
        this.events.reset((JSON.parse(e.data) as ChangeStreamReset).reason);
      } else if (e.event === 'ready') {
        const ready = JSON.parse(e.data) as ChangeStreamReady;
        if (!ready.resumed) this.events.reset('a new change stream');
        this.connected = true;
        this.events.connected?.();
        return true;
      }
    } catch {
      // Unreadable: nothing cached can be trusted.
      this.events.reset('an unreadable event');
    }
    return false;
  }
}
