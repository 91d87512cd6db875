import { Injectable, Logger, type MessageEvent, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Observable } from 'rxjs';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import type { Principal } from '../common/principal';
import { ProblemException, serviceUnavailable } from '../common/problem';
import { DatabaseAvailability } from '../database/availability';
import { ChangeListener } from '../credentials/change-listener';
import { ChangeHub, MAX_STREAMS_PER_ORG, type StreamHolder } from './change-hub';

/** application_name of the stream's LISTEN connection. */
export const CHANGES_LISTENER_NAME = 'tessera-changes';

/** The reconnect delay an EventSource is told (`retry:`). */
export const STREAM_RETRY_MS = 1_000;
/** Longest wait a timer can express; a stream whose credential ends later is not timed. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * `GET /changes`: the organization's changes as Server-Sent Events. It hears every instance's
 * changes on a LISTEN connection of its own (credentials/change-listener.ts, the verification cache's
 * twin), so a stream on any instance reports a change committed on any other. While that
 * connection is down nothing can be promised: open streams get `reset` and end, new ones are
 * answered 503 until it is back, and ids from before cannot be resumed from.
 */
@Injectable()
export class ChangesService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ChangesService.name);
  readonly hub = new ChangeHub();
  private listener: ChangeListener | null = null;
  private listening = false;
  private stopping = false;
  private sweepTimer: NodeJS.Timeout | undefined;
  private offUp: (() => void) | null = null;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly availability: DatabaseAvailability,
  ) {}

  async onModuleInit(): Promise<void> {
    this.sweepTimer = setInterval(() => this.hub.sweep(), 60_000);
    this.sweepTimer.unref();
    const url = (this.dataSource.options as PostgresConnectionOptions).url;
    if (!url) {
      this.logger.warn('no database URL for the change feed: GET /changes answers 503');
      return;
    }
    this.listener = new ChangeListener(url, {
      change: (change) => this.hub.publish(change),
      unknown: () => this.hub.resetAll('an unreadable change notification'),
      listening: () => {
        this.listening = true;
      },
      lost: () => {
        this.listening = false;
        this.hub.endAll('the change feed was interrupted');
      },
    }, { applicationName: CHANGES_LISTENER_NAME });
    this.offUp = this.availability.onUp(() => this.listener?.reconnectNow());
    await this.listen(0);
  }

  /**
   * The first LISTEN. A failure does not stop the app (the guard's own feed decides that): streams
   * answer 503 and it is tried again, 100 ms doubling to 5 s.
   */
  private async listen(attempt: number): Promise<void> {
    try {
      await this.listener?.start();
    } catch (err) {
      if (this.stopping) return;
      const delay = Math.min(5_000, 100 * 2 ** attempt);
      this.logger.warn(`change stream feed: LISTEN failed (${(err as Error).message}); GET /changes answers 503, retrying in ${delay} ms`);
      this.retryTimer = setTimeout(() => void this.listen(attempt + 1), delay);
      this.retryTimer.unref();
    }
  }

  /** Ends every stream before the HTTP server closes (it waits for open connections). */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.listening = false;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.offUp?.();
    this.hub.endAll('the server is shutting down');
    await this.listener?.stop();
  }

  /**
   * The caller's stream. Refuses (before any header is sent) while the feed is down (503) and past
   * MAX_STREAMS_PER_ORG open streams of the organization (429).
   */
  stream(who: Principal, lastEventId: string | null, heartbeatMs: number): Observable<MessageEvent> {
    if (!this.listening || this.stopping) {
      throw serviceUnavailable('The change feed is not available right now; retry shortly', 1);
    }
    if (this.hub.streamCount(who.organizationId) >= MAX_STREAMS_PER_ORG) {
      throw new ProblemException(429, 'Too Many Requests', `At most ${MAX_STREAMS_PER_ORG} change streams per organization are open at once`, undefined, {
        'retry-after': '5',
      });
    }
    const holder: StreamHolder =
      who.kind === 'token' ? { org: who.organizationId, tokenId: who.id } : { org: who.organizationId, userId: who.id, sessionId: who.sessionId };
    const validTo = who.validTo;
    return new Observable<MessageEvent>((subscriber) => {
      if (!this.listening) {
        subscriber.next({ type: 'reset', data: { reason: 'the change feed was interrupted' } });
        subscriber.complete();
        return undefined;
      }
      const close = this.hub.open(
        { holder, send: (event) => subscriber.next(event), end: () => subscriber.complete() },
        lastEventId,
        heartbeatMs,
        STREAM_RETRY_MS,
      );
      // A comment line: proxies see traffic, clients see the stream is alive.
      const heartbeat = setInterval(() => subscriber.next({ comment: 'ping' }), heartbeatMs);
      heartbeat.unref();
      // The credential's own end ends the stream (a reconnect is refused by the guard).
      const left = validTo ? validTo.getTime() - Date.now() : Infinity;
      const expiry = left < MAX_TIMER_MS ? setTimeout(() => subscriber.complete(), Math.max(0, left)) : undefined;
      expiry?.unref();
      return () => {
        clearInterval(heartbeat);
        if (expiry) clearTimeout(expiry);
        close();
      };
    });
  }
}
