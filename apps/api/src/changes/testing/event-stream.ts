import { request, type IncomingMessage } from 'node:http';

export interface StreamEvent {
  event: string;
  id: string | null;
  data: string;
}

/**
 * A test reader of a text/event-stream answer over plain node:http: every event and comment as it
 * arrives, and `next()` to wait for the next one that matches.
 */
export class EventStreamReader {
  readonly events: StreamEvent[] = [];
  readonly comments: string[] = [];
  raw = '';
  ended = false;
  private buffer = '';
  private waiters: (() => void)[] = [];

  private constructor(readonly response: IncomingMessage) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      this.raw += chunk;
      this.buffer += chunk;
      let cut: number;
      while ((cut = this.buffer.indexOf('\n\n')) >= 0) {
        const block = this.buffer.slice(0, cut);
        this.buffer = this.buffer.slice(cut + 2);
        this.parse(block);
      }
      this.wake();
    });
    const end = (): void => {
      this.ended = true;
      this.wake();
    };
    response.on('end', end);
    response.on('close', end);
    response.on('error', end);
  }

  /** Opens `url` (GET) with `headers`; resolves once the status line is in. */
  static open(url: string, headers: Record<string, string>): Promise<EventStreamReader> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => resolve(new EventStreamReader(res)));
      req.on('error', reject);
      req.end();
    });
  }

  get status(): number {
    return this.response.statusCode ?? 0;
  }

  /** The first event from `from` on that matches (waits up to `timeoutMs`); throws on timeout or end. */
  async next(test: (e: StreamEvent) => boolean = () => true, from = 0, timeoutMs = 10_000): Promise<StreamEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(test);
      if (found) return found;
      if (this.ended) throw new Error(`stream ended; events: ${JSON.stringify(this.events)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms; events: ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until the server ends the stream. */
  async untilEnded(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('stream did not end');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.response.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private parse(block: string): void {
    let event = 'message';
    let id: string | null = null;
    const data: string[] = [];
    let any = false;
    for (const line of block.split('\n')) {
      if (line === '') continue;
      if (line.startsWith(':')) {
        this.comments.push(line.slice(1).trim());
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      any = true;
      if (field === 'event') event = value;
      else if (field === 'id') id = value;
      else if (field === 'data') data.push(value);
    }
    if (any) this.events.push({ event, id, data: data.join('\n') });
  }
}
