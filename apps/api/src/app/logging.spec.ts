import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { generateTokenSecret } from '@tessera/domain';
import {
  createRootLogger,
  type LoggedRequest,
  logRequest,
  nestLoggerFor,
  redactUrl,
  requestId,
  resolveLogFormat,
  SAMPLED_LINES_PER_SECOND,
  SampledRequestLines,
} from './logging';

/** A destination that keeps what is written; `isTTY` pretends to be a terminal. */
function capture(isTTY = false): Writable & { isTTY: boolean; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  }) as Writable & { isTTY: boolean; text(): string };
  stream.isTTY = isTTY;
  stream.text = () => chunks.join('');
  return stream;
}

const ESC = String.fromCharCode(27);

describe('request log redaction', () => {
  it('never lets a secret from a URL reach a log line', () => {
    const secret = generateTokenSecret();
    expect(redactUrl(`/api/v1/auth/me?access_token=${secret}&x=1`)).toBe('/api/v1/auth/me?access_token=[Redacted]&x=1');
    expect(redactUrl(`/api/v1/tokens?q=${secret}`)).not.toContain(secret);
    expect(redactUrl('/api/v1/tokens?password=hunter2')).not.toContain('hunter2');
    expect(redactUrl('/api/v1/tokens?q=deploy')).toBe('/api/v1/tokens?q=deploy');
  });

  it('writes one line per request with named fields only: no secret from the URL or the Authorization header', () => {
    const secret = generateTokenSecret();
    const out = capture();
    const request: LoggedRequest = {
      id: 'req-1',
      method: 'GET',
      url: `/api/v1/auth/me?access_token=${secret}`,
      socket: { remoteAddress: '127.0.0.1' },
      headers: { authorization: `Bearer ${secret}`, cookie: `s=${secret}`, 'user-agent': 'curl/8', 'x-api-key': secret },
    };
    logRequest(createRootLogger({ logLevel: 'info', logFormat: 'json' }, out), request, 400, 12.4);
    expect(out.text()).not.toContain(secret);
    const line = JSON.parse(out.text()) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 40,
      msg: 'GET /api/v1/auth/me?access_token=[Redacted] 400 12 ms',
      req: { id: 'req-1', method: 'GET', url: '/api/v1/auth/me?access_token=[Redacted]', remoteAddress: '127.0.0.1', userAgent: 'curl/8', headers: { authorization: '[Redacted]' } },
      res: { statusCode: 400 },
      responseTime: 12,
    });
  });
});

describe('request lines', () => {
  const request = (url = '/api/v1/tokens'): LoggedRequest => ({ id: 'r', method: 'GET', url, headers: {} });
  const levels = (logLevel: 'info' | 'warn' | 'error', statuses: number[], url?: string): number[] => {
    const out = capture();
    const logger = createRootLogger({ logLevel, logFormat: 'json' }, out);
    for (const status of statuses) logRequest(logger, request(url), status, 1);
    return out
      .text()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { level: number }).level);
  };

  it('logs 2xx/3xx at info, 4xx at warn, 5xx at error, and never the health probes', () => {
    expect(levels('info', [200, 304, 401, 503])).toEqual([30, 30, 40, 50]);
    expect(levels('warn', [200, 304, 401, 503])).toEqual([40, 50]);
    expect(levels('info', [200, 500], '/api/v1/health/live')).toEqual([]);
  });

  it('reads nothing of the request when the line is below LOG_LEVEL', () => {
    const untouchable = new Proxy({} as LoggedRequest, {
      get: () => {
        throw new Error('read');
      },
    });
    const logger = createRootLogger({ logLevel: 'warn', logFormat: 'json' }, capture());
    expect(() => logRequest(logger, untouchable, 200, 1)).not.toThrow();
    expect(() => logRequest(logger, untouchable, 404, 1)).toThrow('read');
  });

  it("takes the client's X-Request-Id when sane, else a new UUID", () => {
    const req = (id?: string): IncomingMessage => ({ headers: id === undefined ? {} : { 'x-request-id': id } }) as IncomingMessage;
    expect(requestId(req('abc-123.x_y'))).toBe('abc-123.x_y');
    for (const bad of [undefined, '', 'a b', 'x'.repeat(101), 'line\nbreak']) {
      expect(requestId(req(bad))).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('request lines under a flood of refusals', () => {
  type Line = { level: number; msg: string; droppedLines?: Record<string, number> };
  const linesOf = (out: { text(): string }): Line[] =>
    out
      .text()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);

  it('writes refusals and 503s only up to the rate, then one summary of what it left out, never a secret', async () => {
    const out = capture();
    const logger = createRootLogger({ logLevel: 'info', logFormat: 'json' }, out);
    // A clock that stands still: the burst allowance is all this flood gets.
    const sampled = new SampledRequestLines(logger, { summaryAfterMs: 20, now: () => 0 });
    const secret = generateTokenSecret();
    const refusal = (i: number): LoggedRequest => ({
      id: `r${i}`,
      method: 'GET',
      url: `/api/v1/auth/me?access_token=${secret}`,
      socket: { remoteAddress: '203.0.113.7' },
      headers: { authorization: `Bearer ${secret}` },
    });
    const statuses = [401, 403, 429, 503];
    for (let i = 0; i < 120; i++) logRequest(logger, refusal(i), statuses[i % 4] ?? 401, 1, sampled);
    for (let i = 0; i < 30; i++) logRequest(logger, { id: `ok${i}`, method: 'GET', url: '/api/v1/tokens', headers: {} }, 200, 1, sampled);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const lines = linesOf(out);
    expect(lines.filter((l) => l.msg.startsWith('GET /api/v1/auth/me'))).toHaveLength(SAMPLED_LINES_PER_SECOND);
    expect(lines.filter((l) => l.msg.startsWith('GET /api/v1/tokens 200'))).toHaveLength(30); // successes as before
    const summaries = lines.filter((l) => l.msg.startsWith('request log:'));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]?.level).toBe(40);
    expect(summaries[0]?.droppedLines).toEqual({ '401': 25, '403': 25, '429': 25, '503': 25 });
    expect(summaries[0]?.msg).toBe('request log: 100 lines left out in the last 1 s (401: 25, 403: 25, 429: 25, 503: 25), at most 20 a second are written');
    expect(out.text()).not.toContain(secret);
  });

  it('writes every line at debug, and none of a level below LOG_LEVEL counts as left out', async () => {
    const debugOut = capture();
    const debug = createRootLogger({ logLevel: 'debug', logFormat: 'json' }, debugOut);
    const all = new SampledRequestLines(debug, { summaryAfterMs: 20, now: () => 0 });
    for (let i = 0; i < 60; i++) logRequest(debug, { id: `r${i}`, method: 'GET', url: '/api/v1/auth/me', headers: {} }, 401, 1, all);

    const errorOut = capture();
    const quiet = createRootLogger({ logLevel: 'error', logFormat: 'json' }, errorOut);
    const none = new SampledRequestLines(quiet, { summaryAfterMs: 20, now: () => 0 });
    for (let i = 0; i < 60; i++) logRequest(quiet, { id: `r${i}`, method: 'GET', url: '/api/v1/auth/me', headers: {} }, 401, 1, none);
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(linesOf(debugOut).filter((l) => l.msg.startsWith('GET '))).toHaveLength(60);
    expect(linesOf(debugOut).filter((l) => l.msg.startsWith('request log:'))).toHaveLength(0);
    expect(linesOf(errorOut)).toHaveLength(0);
  });
});

describe('log format', () => {
  it('is pretty on a terminal and JSON otherwise, unless LOG_FORMAT says', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });

  it('writes one JSON object per line for machines', () => {
    const out = capture(false);
    const logger = createRootLogger({ logLevel: 'info', logFormat: 'auto' }, out);
    logger.info({ context: 'Tessera' }, 'listening');
    logger.debug('not at info level');
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 30, context: 'Tessera', msg: 'listening' });
  });

  it('writes one readable line per event for people, coloured on a terminal', () => {
    const plain = capture(false);
    createRootLogger({ logLevel: 'info', logFormat: 'pretty' }, plain).info({ context: 'Tessera', pid: 1 }, 'listening');
    expect(plain.text()).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[Tessera\] listening\n$/);
    expect(plain.text()).not.toContain(ESC);

    const tty = capture(true);
    createRootLogger({ logLevel: 'info', logFormat: 'auto' }, tty).warn('careful');
    expect(tty.text()).toContain(ESC);
    expect(tty.text()).toContain('careful');
    expect(tty.text()).not.toContain('{');
  });

  it("gives Nest's logger the same lines, with its start-up chatter only at debug", () => {
    const out = capture(false);
    const nest = nestLoggerFor(createRootLogger({ logLevel: 'info', logFormat: 'json' }, out));
    nest.log('Mapped {/api/v1/tokens, GET} route', 'RouterExplorer');
    nest.log('Nest application successfully started', 'NestApplication');
    nest.error('it broke', 'Error: it broke\n    at x', 'TokensService');
    const lines = out
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: number; context: string; msg: string });
    expect(lines.map((l) => [l.level, l.context, l.msg])).toEqual([
      [30, 'NestApplication', 'Nest application successfully started'],
      [50, 'TokensService', 'it broke'],
    ]);
  });
});
