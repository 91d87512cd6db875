import { randomBytes } from 'node:crypto';
import type { MessageEvent } from '@nestjs/common';
import {
  type ChangeEventDto,
  type ChangeEventKind,
  type ChangeStreamReady,
  type ChangeStreamReset,
  formatChangeEventId,
  parseChangeEventId,
} from '@tessera/domain';
import type { Change } from '../credentials/change-notifier';

/** Events of an organization kept for resuming (Last-Event-ID); older ones answer `resumed: false`. */
export const RING_SIZE = 256;
/** A ring nobody listens to is kept this long for a client that reconnects. */
export const IDLE_RING_MS = 5 * 60_000;
/** Open streams per organization; one more is refused (429). */
export const MAX_STREAMS_PER_ORG = 100;

/** Who holds a stream: a change to this principal ends the stream (the guard decides again on reconnect). */
export interface StreamHolder {
  org: string;
  /** The token id, for a token. */
  tokenId?: string;
  /** The user id and session id, for a session. */
  userId?: string;
  sessionId?: string;
}

export interface StreamSink {
  holder: StreamHolder;
  send(event: MessageEvent): void;
  /** Ends the stream (after what was sent). */
  end(): void;
}

interface Ring {
  generation: string;
  sequence: number;
  events: { sequence: number; data: ChangeEventDto }[];
  idleSince: number | null;
}

const STREAM_KINDS: Partial<Record<Change['kind'], ChangeEventKind>> = { token: 'token', role: 'role', org: 'allowlist' };

const newGeneration = (): string => randomBytes(9).toString('base64url');

/**
 * The organizations' change streams on this instance: one ring of recent events per organization
 * (its own generation and sequence, so ids say nothing about other organizations), the open
 * streams, and the rules of who sees what. No I/O but the sinks; the service feeds it.
 */
export class ChangeHub {
  private readonly rings = new Map<string, Ring>();
  private readonly sinks = new Map<string, Set<StreamSink>>();

  constructor(private readonly now: () => number = Date.now) {}

  streamCount(org: string): number {
    return this.sinks.get(org)?.size ?? 0;
  }

  /**
   * Opens a stream for `sink.holder.org`: sends `ready` (resumed when `lastEventId` is in this
   * organization's current ring, then the events after it), and from now on its changes.
   * Returns the function that closes it.
   */
  open(sink: StreamSink, lastEventId: string | null, heartbeatMs: number, retryMs: number): () => void {
    const org = sink.holder.org;
    const ring = this.ring(org);
    ring.idleSince = null;
    const from = parseChangeEventId(lastEventId);
    const oldest = ring.events[0]?.sequence ?? ring.sequence + 1;
    const resumed = from !== null && from.generation === ring.generation && from.sequence <= ring.sequence && from.sequence >= oldest - 1;
    const start = resumed ? from.sequence : ring.sequence;
    const ready: ChangeStreamReady = { org, resumed, heartbeatMs };
    sink.send({ type: 'ready', id: formatChangeEventId({ generation: ring.generation, sequence: start }), retry: retryMs, data: ready });
    if (resumed) {
      for (const e of ring.events) if (e.sequence > start) sink.send(this.changeEvent(ring.generation, e.sequence, e.data));
    }
    let set = this.sinks.get(org);
    if (!set) this.sinks.set(org, (set = new Set()));
    set.add(sink);
    return () => this.close(sink);
  }

  /** A change heard on the feed (any instance, any organization). */
  publish(change: Change): void {
    if (change.kind === 'user' || change.kind === 'session') {
      this.endHeldBy((h) => (change.kind === 'user' ? h.userId === change.id : h.sessionId === change.id));
      return;
    }
    const kind = STREAM_KINDS[change.kind];
    if (!kind) return;
    if (!change.org) {
      // From an instance that does not say whose change it is: nobody may trust their cache.
      this.resetAll('a change without its organization');
      return;
    }
    const data: ChangeEventDto = { kind, id: change.id, org: change.org };
    const ring = this.rings.get(change.org);
    const set = this.sinks.get(change.org);
    if (!ring) return; // nobody listens to this organization, nor did lately
    ring.sequence += 1;
    ring.events.push({ sequence: ring.sequence, data });
    if (ring.events.length > RING_SIZE) ring.events.shift();
    if (!set) return;
    for (const sink of [...set]) {
      sink.send(this.changeEvent(ring.generation, ring.sequence, data));
      // A change that may touch the holder's own access ends its stream: it reconnects (resuming)
      // and the guard decides again. Role and allowlist changes may touch any holder.
      if (kind !== 'token' || sink.holder.tokenId === change.id) this.endSink(sink);
    }
  }

  /**
   * Anything may have changed (an unreadable notification): every stream gets `reset`, and ids
   * before it can no longer be resumed from.
   */
  resetAll(reason: string): void {
    for (const [org, ring] of this.rings) {
      ring.generation = newGeneration();
      ring.sequence = 0;
      ring.events = [];
      const reset: ChangeStreamReset = { reason };
      for (const sink of this.sinks.get(org) ?? []) {
        sink.send({ type: 'reset', id: formatChangeEventId({ generation: ring.generation, sequence: 0 }), data: reset });
      }
    }
  }

  /**
   * Changes may be missed from now on (the feed is gone) or the instance stops: every stream gets
   * `reset` and ends, and nothing before can be resumed from.
   */
  endAll(reason: string): void {
    this.resetAll(reason);
    for (const set of this.sinks.values()) for (const sink of [...set]) this.endSink(sink);
    this.rings.clear();
  }

  /** Drops rings nobody has listened to for IDLE_RING_MS. */
  sweep(): void {
    const now = this.now();
    for (const [org, ring] of this.rings) {
      if (ring.idleSince !== null && now - ring.idleSince >= IDLE_RING_MS) this.rings.delete(org);
    }
  }

  private ring(org: string): Ring {
    let ring = this.rings.get(org);
    if (!ring) this.rings.set(org, (ring = { generation: newGeneration(), sequence: 0, events: [], idleSince: null }));
    return ring;
  }

  private changeEvent(generation: string, sequence: number, data: ChangeEventDto): MessageEvent {
    return { type: 'change', id: formatChangeEventId({ generation, sequence }), data };
  }

  private endHeldBy(test: (holder: StreamHolder) => boolean): void {
    for (const set of this.sinks.values()) for (const sink of [...set]) if (test(sink.holder)) this.endSink(sink);
  }

  private endSink(sink: StreamSink): void {
    this.close(sink);
    sink.end();
  }

  private close(sink: StreamSink): void {
    const org = sink.holder.org;
    const set = this.sinks.get(org);
    if (!set?.delete(sink)) return;
    if (set.size === 0) {
      this.sinks.delete(org);
      const ring = this.rings.get(org);
      if (ring) ring.idleSince = this.now();
    }
  }
}
