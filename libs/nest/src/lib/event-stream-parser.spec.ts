import fc from 'fast-check';
import { EventStreamParser, type ParsedEvent } from './event-stream-parser';

/** Writes events the way Tessera (Nest's SseStream) does. */
function serialize(events: ParsedEvent[], eol: string): string {
  return events
    .map((e) => {
      let out = `event: ${e.event}${eol}`;
      if (e.id !== undefined) out += `id: ${e.id}${eol}`;
      if (e.retry !== undefined) out += `retry: ${e.retry}${eol}`;
      for (const line of e.data.split('\n')) out += `data: ${line}${eol}`;
      return `${out}: ping${eol}${eol}`;
    })
    .join('');
}

const text = fc.string({ unit: fc.constantFrom('a', 'é', '{', '"', ':', ' ', '1', '\u2028') });
const event: fc.Arbitrary<ParsedEvent> = fc.record(
  {
    event: fc.constantFrom('ready', 'change', 'reset'),
    data: fc.array(text, { minLength: 1, maxLength: 3 }).map((lines) => lines.join('\n')),
    id: fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}$/),
    retry: fc.nat({ max: 60_000 }),
  },
  { requiredKeys: ['event', 'data'] },
);

describe('EventStreamParser', () => {
  it('reads back every event, however the stream is cut into chunks (property)', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 8 }), fc.constantFrom('\n', '\r\n', '\r'), fc.array(fc.nat(), { maxLength: 10 }), (events, eol, cuts) => {
        const wire = serialize(events, eol);
        const got: ParsedEvent[] = [];
        const comments: string[] = [];
        const parser = new EventStreamParser((e) => got.push(e), (c) => comments.push(c));
        let at = 0;
        for (const cut of [...cuts.map((c) => c % (wire.length + 1))].sort((a, b) => a - b)) {
          parser.push(wire.slice(at, cut));
          at = cut;
        }
        parser.push(wire.slice(at));
        expect(got).toEqual(events);
        expect(comments).toEqual(events.map(() => 'ping'));
      }),
    );
  });

  it('ignores a BOM, unknown fields and an unfinished event', () => {
    const got: ParsedEvent[] = [];
    const parser = new EventStreamParser((e) => got.push(e));
    parser.push('\ufeffevent: change\nfoo: bar\ndata: {"a":1}\n\nevent: ready\ndata: x');
    expect(got).toEqual([{ event: 'change', data: '{"a":1}' }]);
  });
});
