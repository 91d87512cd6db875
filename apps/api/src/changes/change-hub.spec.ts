import type { MessageEvent } from '@nestjs/common';
import { type ChangeEventDto, type ChangeStreamReady, parseChangeEventId } from '@tessera/domain';
import fc from 'fast-check';
import type { Change } from '../credentials/change-notifier';
import { ChangeHub, IDLE_RING_MS, RING_SIZE, type StreamHolder, type StreamSink } from './change-hub';

const ORGS = ['org-a', 'org-b', 'org-c'] as const;

class Sink implements StreamSink {
  readonly events: MessageEvent[] = [];
  ended = false;
  constructor(readonly holder: StreamHolder) {}
  send(event: MessageEvent): void {
    this.events.push(event);
  }
  end(): void {
    this.ended = true;
  }
  changes(): ChangeEventDto[] {
    return this.events.filter((e) => e.type === 'change').map((e) => e.data as ChangeEventDto);
  }
  ready(): ChangeStreamReady {
    return this.events[0]?.data as ChangeStreamReady;
  }
}

const open = (hub: ChangeHub, holder: StreamHolder, lastEventId: string | null = null): Sink => {
  const sink = new Sink(holder);
  hub.open(sink, lastEventId, 1000, 1000);
  return sink;
};

const tokenChange = fc.record({
  kind: fc.constant<'token'>('token'),
  id: fc.constantFrom('t1', 't2', 't3'),
  org: fc.constantFrom(...ORGS),
});
const anyChange: fc.Arbitrary<Change> = fc.oneof(
  tokenChange,
  fc.record({ kind: fc.constantFrom<'role' | 'org'>('role', 'org'), id: fc.constantFrom('r1', 'r2'), org: fc.constantFrom(...ORGS) }),
  fc.record({ kind: fc.constantFrom<'user' | 'session'>('user', 'session'), id: fc.constantFrom('u1', 's1') }),
);

describe('ChangeHub', () => {
  it("shows each stream its own organization's changes only, in order, with growing ids (property)", () => {
    fc.assert(
      fc.property(fc.array(anyChange, { maxLength: 60 }), (changes) => {
        const hub = new ChangeHub();
        // Holders no change in the run can touch (their own token id never changes).
        const sinks = ORGS.map((org) => open(hub, { org, tokenId: `watcher-${org}` }));
        for (const c of changes) hub.publish(c);
        for (const sink of sinks) {
          const org = sink.holder.org;
          const mine = changes.filter((c) => c.org === org && (c.kind === 'token' || c.kind === 'role' || c.kind === 'org'));
          const firstEnd = mine.findIndex((c) => c.kind !== 'token');
          const expected = firstEnd === -1 ? mine : mine.slice(0, firstEnd + 1);
          expect(sink.changes().map((c) => [c.kind, c.id, c.org])).toEqual(
            expected.map((c) => [c.kind === 'org' ? 'allowlist' : c.kind, c.id, org]),
          );
          expect(sink.ended).toBe(firstEnd !== -1);
          const sequences = sink.events.map((e) => parseChangeEventId(e.id)?.sequence ?? -1);
          expect(sequences).toEqual(sequences.map((_, i) => i)); // ready = 0, then 1, 2, …
        }
      }),
    );
  });

  it('replays exactly what came after a resumed id, and only within its generation (property)', () => {
    fc.assert(
      fc.property(fc.array(tokenChange, { minLength: 1, maxLength: 40 }), fc.nat(), (changes, pick) => {
        const hub = new ChangeHub();
        const first = open(hub, { org: 'org-a', tokenId: 'w' });
        for (const c of changes) hub.publish(c);
        const seen = first.events.filter((e) => e.type === 'change');
        const ids = [first.events[0]?.id, ...seen.map((e) => e.id)];
        const at = pick % ids.length;
        const back = open(hub, { org: 'org-a', tokenId: 'w' }, ids[at] ?? null);
        expect(back.ready().resumed).toBe(true);
        expect(back.events.slice(1).map((e) => e.id)).toEqual(seen.slice(at).map((e) => e.id));
        const generation = parseChangeEventId(ids[0])?.generation;
        const elsewhere = open(hub, { org: 'org-b', tokenId: 'w' }, ids[at] ?? null);
        expect(elsewhere.ready().resumed).toBe(false);
        expect(parseChangeEventId(elsewhere.events[0]?.id)?.generation).not.toBe(generation);
      }),
    );
  });

  it('answers resumed:false once the id has left the ring', () => {
    const hub = new ChangeHub();
    const s = open(hub, { org: 'org-a' });
    const start = s.events[0]?.id ?? null;
    for (let i = 0; i <= RING_SIZE; i++) hub.publish({ kind: 'token', id: `t${i}`, org: 'org-a' });
    expect(open(hub, { org: 'org-a' }, start).ready().resumed).toBe(false);
    expect(open(hub, { org: 'org-a' }, s.events[2]?.id ?? null).ready().resumed).toBe(true);
  });

  it('ends the stream of a holder whose own token, user or session changed', () => {
    const hub = new ChangeHub();
    const token = open(hub, { org: 'org-a', tokenId: 't1' });
    const other = open(hub, { org: 'org-a', tokenId: 't2' });
    const session = open(hub, { org: 'org-a', userId: 'u1', sessionId: 's1' });
    const user = open(hub, { org: 'org-a', userId: 'u2', sessionId: 's2' });
    hub.publish({ kind: 'token', id: 't1', org: 'org-a' });
    expect([token.ended, other.ended, session.ended, user.ended]).toEqual([true, false, false, false]);
    hub.publish({ kind: 'session', id: 's1' });
    hub.publish({ kind: 'user', id: 'u2' });
    expect([other.ended, session.ended, user.ended]).toEqual([false, true, true]);
    expect(session.changes()).toHaveLength(1); // user and session changes are not shown
    hub.publish({ kind: 'role', id: 'r1', org: 'org-a' });
    expect(other.ended).toBe(true);
  });

  it('resets every stream on a change that names no organization, and after it nothing older resumes', () => {
    const hub = new ChangeHub();
    const a = open(hub, { org: 'org-a' });
    const b = open(hub, { org: 'org-b' });
    hub.publish({ kind: 'token', id: 't1' });
    for (const s of [a, b]) expect(s.events.at(-1)?.type).toBe('reset');
    expect(open(hub, { org: 'org-a' }, a.events[0]?.id ?? null).ready().resumed).toBe(false);
    expect(open(hub, { org: 'org-a' }, a.events.at(-1)?.id ?? null).ready().resumed).toBe(true);
  });

  it('ends every stream and forgets every ring on endAll', () => {
    const hub = new ChangeHub();
    const a = open(hub, { org: 'org-a' });
    hub.endAll('feed lost');
    expect(a.ended).toBe(true);
    expect(a.events.at(-1)).toMatchObject({ type: 'reset', data: { reason: 'feed lost' } });
    expect(hub.streamCount('org-a')).toBe(0);
    expect(open(hub, { org: 'org-a' }, a.events[0]?.id ?? null).ready().resumed).toBe(false);
  });

  it('keeps an idle ring for a while for clients that come back, then drops it', () => {
    let now = 0;
    const hub = new ChangeHub(() => now);
    const first = new Sink({ org: 'org-a' });
    const close = hub.open(first, null, 1000, 1000);
    hub.publish({ kind: 'token', id: 't1', org: 'org-a' });
    const id = first.events.at(-1)?.id ?? null;
    close();
    now = IDLE_RING_MS - 1;
    hub.sweep();
    const back = new Sink({ org: 'org-a' });
    hub.open(back, id, 1000, 1000)();
    expect(back.ready().resumed).toBe(true);
    now += IDLE_RING_MS;
    hub.sweep();
    expect(open(hub, { org: 'org-a' }, id).ready().resumed).toBe(false);
  });
});
