import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { generateTokenSecret } from '@tessera/domain';
import { parseConfig } from '../config/app-config';
import { createRootLogger, nestLoggerFor, pinoHttpOptions, redactUrl, resolveLogFormat } from './logging';

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

  it('writes a one-line request message without the secrets of its URL', () => {
    const secret = generateTokenSecret();
    const options = pinoHttpOptions(parseConfig({ LOG_FORMAT: 'json' }), createRootLogger({ logLevel: 'info', logFormat: 'json' }, capture()));
    const req = { method: 'GET', url: `/api/v1/auth/me?access_token=${secret}` } as IncomingMessage;
    const res = { statusCode: 400 } as ServerResponse;
    const line = options.customSuccessMessage?.(req, res, 12.4) ?? '';
    expect(line).toBe('GET /api/v1/auth/me?access_token=[Redacted] 400 12 ms');
    expect(options.customErrorMessage?.(req, res, new Error('boom'))).not.toContain(secret);
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
