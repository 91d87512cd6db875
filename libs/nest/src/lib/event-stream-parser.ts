/** One Server-Sent Event as the WHATWG event-stream format defines it. */
export interface ParsedEvent {
  /** `event:` field, `message` when absent. */
  event: string;
  data: string;
  /** `id:` field of this event, when it had one. */
  id?: string;
  /** `retry:` field (milliseconds), when it had a valid one. */
  retry?: number;
}

/**
 * An incremental text/event-stream parser (https://html.spec.whatwg.org/multipage/server-sent-events.html):
 * feed it chunks as they arrive, in any split; it reports each complete event and each comment
 * line (a heartbeat). CR, LF and CRLF line ends; a leading BOM is ignored.
 */
export class EventStreamParser {
  private buffer = '';
  private first = true;
  private pendingCr = false;
  private event = '';
  private data: string[] = [];
  private id: string | undefined;
  private retry: number | undefined;
  private any = false;

  constructor(
    private readonly onEvent: (event: ParsedEvent) => void,
    private readonly onComment: (text: string) => void = () => undefined,
  ) {}

  push(chunk: string): void {
    let text = chunk;
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.buffer.slice(start, i));
      if (c === 13) {
        if (i + 1 === this.buffer.length) this.pendingCr = true;
        else if (this.buffer.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) {
      this.onComment(line.slice(1).replace(/^ /, ''));
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    switch (field) {
      case 'event':
        this.event = value;
        this.any = true;
        break;
      case 'data':
        this.data.push(value);
        this.any = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        this.any = true;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        this.any = true;
        break;
      default:
        break;
    }
  }

  private dispatch(): void {
    if (this.any) {
      const event: ParsedEvent = { event: this.event || 'message', data: this.data.join('\n') };
      if (this.id !== undefined) event.id = this.id;
      if (this.retry !== undefined) event.retry = this.retry;
      this.onEvent(event);
    }
    this.event = '';
    this.data = [];
    this.id = undefined;
    this.retry = undefined;
    this.any = false;
  }
}
