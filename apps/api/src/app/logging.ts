import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import pino, { type DestinationStream, type Logger as Pino } from 'pino';
import type { Options } from 'pino-http';
import pretty from 'pino-pretty';
import type { AppConfig } from '../config/app-config';

export type LogFormat = 'pretty' | 'json';

/** `LOG_FORMAT` when set; otherwise pretty lines on a terminal and JSON lines for machines. */
export function resolveLogFormat(configured: AppConfig['logFormat'], isTty: boolean): LogFormat {
  if (configured !== 'auto') return configured;
  return isTty ? 'pretty' : 'json';
}

/** Fields a pretty line leaves out: the request line already says them, or nobody reads them. */
const PRETTY_IGNORE = 'pid,hostname,context,req,res,reqId,responseTime';

/**
 * The one pino logger of a process: Nest's own messages, the services' `Logger`s, request logs and
 * the shell commands all write through it, from the first line on. JSON lines (pino's format), or
 * with `pretty` one coloured line per event: `12:04:05.120 INFO: [Tessera] listening on …`.
 * `destination` is for tests; by default stdout (a terminal decides the format under `auto`).
 */
export function createRootLogger(
  config: Pick<AppConfig, 'logLevel' | 'logFormat'>,
  destination?: DestinationStream & { isTTY?: boolean },
): Pino {
  const isTty = destination ? destination.isTTY === true : process.stdout.isTTY === true;
  const options = { level: config.logLevel };
  if (resolveLogFormat(config.logFormat, isTty) === 'json') {
    return destination ? pino(options, destination) : pino(options);
  }
  const stream = pretty({
    colorize: isTty,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: PRETTY_IGNORE,
    messageFormat: '{if context}[{context}] {end}{msg}',
    singleLine: true,
    ...(destination ? { destination } : {}),
  });
  return pino(options, stream);
}

/** Nest's start-up chatter (a line per module and per route): kept for LOG_LEVEL=debug. */
const CHATTY_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** Writes through `inner`, demoting Nest's per-module and per-route start-up lines to debug. */
export function withQuietStartup(inner: LoggerService): LoggerService {
  return {
    log: (message: unknown, ...rest: unknown[]) =>
      CHATTY_CONTEXTS.has(String(rest[rest.length - 1])) ? inner.debug?.(message, ...rest) : inner.log(message, ...rest),
    error: (message: unknown, ...rest: unknown[]) => inner.error(message, ...rest),
    warn: (message: unknown, ...rest: unknown[]) => inner.warn(message, ...rest),
    debug: (message: unknown, ...rest: unknown[]) => inner.debug?.(message, ...rest),
    verbose: (message: unknown, ...rest: unknown[]) => inner.verbose?.(message, ...rest),
    fatal: (message: unknown, ...rest: unknown[]) => inner.fatal?.(message, ...rest),
  };
}

/** Nest's LoggerService over the root logger (nestjs-pino's adapter): `[context] message`. */
export function nestLoggerFor(root: Pino): LoggerService {
  return withQuietStartup(new NestPinoLogger(new PinoLogger({ pinoHttp: { logger: root } }), {}));
}

/** Query parameters whose values never reach a log line. */
const SECRET_PARAMS = /([?&](?:access_token|token|secret|password|api_key|apikey)=)[^&#]*/gi;
/** Anything shaped like a Tessera secret, wherever it appears in a URL. */
const SECRET_SHAPE = /\bts[a-z]_[0-9A-Za-z]{20,}/g;

export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[Redacted]').replace(SECRET_SHAPE, '[Redacted]');
}

/**
 * Structured request logs (pino-http through nestjs-pino). Authorization, cookies and any
 * secret-looking value are redacted; bodies are never logged.
 */
export function pinoHttpOptions(config: AppConfig, logger: Pino = createRootLogger(config)): Options {
  return {
    logger,
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["proxy-authorization"]',
        'req.headers["x-api-key"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.secret',
        '*.token',
        '*.access_token',
      ],
      censor: '[Redacted]',
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string; remoteAddress?: string; headers?: Record<string, unknown> }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
        remoteAddress: req.remoteAddress,
        userAgent: req.headers?.['user-agent'],
        headers: req.headers ? { authorization: req.headers['authorization'] ? '[Redacted]' : undefined } : undefined,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    // One readable line per request; the JSON form keeps req, res and responseTime as fields.
    customSuccessMessage: (req: IncomingMessage, res: ServerResponse, responseTime: number) =>
      `${req.method ?? ''} ${redactUrl(req.url ?? '')} ${res.statusCode} ${Math.round(responseTime)} ms`,
    customErrorMessage: (req: IncomingMessage, res: ServerResponse, err: Error) =>
      `${req.method ?? ''} ${redactUrl(req.url ?? '')} ${res.statusCode} ${err.message}`,
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/api/v1/health/') },
    quietReqLogger: true,
  };
}
