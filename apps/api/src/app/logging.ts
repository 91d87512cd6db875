import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import pino, { type DestinationStream, type Logger as Pino } from 'pino';
import pretty from 'pino-pretty';
import type { AppConfig } from '../config/app-config';
import { type DroppedLines, RequestLogSampler } from './request-log-sampler';

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
    return pino(options, destination ?? stdoutDestination());
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

/**
 * stdout for JSON lines, buffered: lines go out together once 4 KiB have gathered, and at the
 * latest 100 ms after they were logged, so a busy server makes one write per ~20 request lines
 * instead of one per line. Whatever is still buffered is written synchronously when the process
 * exits (pino registers that). At most 16 MiB wait: beyond, lines are dropped rather than memory
 * growing while stdout's reader cannot keep up.
 */
function stdoutDestination(): DestinationStream {
  return pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 100, maxLength: 16 * 1024 * 1024 });
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

/** `X-Request-Id` when the client sends a sane one (≤ 100 of `[A-Za-z0-9_.-]`), else a new UUID. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}
const SANE_REQUEST_ID = /^[\w.-]{1,100}$/;

/** What a request line reads of a request: Fastify's request as it is (no copy per request). */
export interface LoggedRequest {
  id: string;
  method: string;
  /** The target as sent. */
  url: string;
  /** The socket peer (`remoteAddress` of the line). */
  socket?: { remoteAddress?: string } | null;
  headers: Record<string, string | string[] | undefined>;
}

type Level = 'info' | 'warn' | 'error';

/** 2xx/3xx at info, 4xx at warn, 5xx at error. */
export function requestLogLevel(statusCode: number): Level {
  return statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info';
}

/** Requests that are never logged: the health probes of load balancers and orchestrators. */
export function isQuietPath(url: string): boolean {
  return url.startsWith('/api/v1/health/');
}

/**
 * One structured line per answered request (JSON: `req` {id, method, url, remoteAddress,
 * userAgent, headers.authorization as `[Redacted]` when present}, `res.statusCode`,
 * `responseTime` ms, message `GET /api/v1/tokens 200 4 ms`). Nothing of the request is read, and
 * no object is built, unless the line's level is enabled: with LOG_LEVEL above it a request costs
 * one level check. The line is built from named fields only, so a secret can reach it only through
 * the URL, which `redactUrl` cleans; bodies, cookies and other headers are never read.
 */
export function logRequest(
  logger: Pino,
  request: LoggedRequest,
  statusCode: number,
  responseTimeMs: number,
  sampled?: SampledRequestLines,
): void {
  const level = requestLogLevel(statusCode);
  if (!logger.isLevelEnabled(level) || isQuietPath(request.url)) return;
  if (sampled && !sampled.admit(statusCode)) return;
  const url = redactUrl(request.url);
  const userAgent = request.headers['user-agent'];
  const responseTime = Math.round(responseTimeMs);
  logger[level](
    {
      req: {
        id: request.id,
        method: request.method,
        url,
        remoteAddress: request.socket?.remoteAddress,
        userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 500) : undefined,
        headers: request.headers['authorization'] === undefined ? undefined : { authorization: '[Redacted]' },
      },
      res: { statusCode },
      responseTime,
    },
    `${request.method} ${url} ${statusCode} ${responseTime} ms`,
  );
}

/** Request lines of refused (401, 403, 429) and 503 answers written per second, at most. */
export const SAMPLED_LINES_PER_SECOND = 20;
/** How long after the first line left out the summary of what was left out is written. */
export const DROPPED_SUMMARY_AFTER_MS = 10_000;

/**
 * The request lines of one app under a flood: a flood of refusals (or of 503s during a database
 * outage) would write a line per request, so lines of 401/403/429/503 answers are written at most
 * SAMPLED_LINES_PER_SECOND a second (RequestLogSampler); those left out are counted by status and,
 * DROPPED_SUMMARY_AFTER_MS after the first of them, one `warn` line says how many. At `debug` and
 * `trace` every line is written. The timer exists only while lines are being left out.
 */
export class SampledRequestLines {
  private readonly sampler: RequestLogSampler;
  private readonly summaryAfterMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Pino,
    options: { perSecond?: number; summaryAfterMs?: number; now?: () => number } = {},
  ) {
    this.sampler = new RequestLogSampler({ perSecond: options.perSecond ?? SAMPLED_LINES_PER_SECOND, now: options.now });
    this.summaryAfterMs = options.summaryAfterMs ?? DROPPED_SUMMARY_AFTER_MS;
  }

  /** True when the line of an answer with this status is written; else it is counted. */
  admit(statusCode: number): boolean {
    if (this.logger.isLevelEnabled('debug') || this.sampler.admit(statusCode)) return true;
    if (!this.timer) {
      this.timer = setTimeout(() => this.summarise(), this.summaryAfterMs);
      this.timer.unref();
    }
    return false;
  }

  /** Writes the summary of what was left out now (also on a timer). */
  summarise(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const dropped = this.sampler.report();
    if (dropped) this.logger.warn({ context: 'RequestLog', droppedLines: dropped.byStatus }, droppedSummary(dropped));
  }
}

/** `request log: 1234 lines left out in the last 10 s (401: 1200, 429: 34), at most 20 a second are written`. */
export function droppedSummary(dropped: DroppedLines): string {
  const byStatus = Object.entries(dropped.byStatus)
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ');
  const seconds = Math.max(1, Math.round(dropped.sinceMs / 1000));
  return `request log: ${dropped.total} lines left out in the last ${seconds} s (${byStatus}), at most ${SAMPLED_LINES_PER_SECOND} a second are written`;
}
