import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject, Logger, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ProblemDetails } from '@tessera/domain';
import { QueryFailedError } from 'typeorm';
import {
  DATABASE_RETRY_AFTER_SECONDS,
  isDatabaseUnavailable,
  OUTAGE_REPORTER,
  type OutageReporter,
} from '../common/database-unavailable';
import { type HttpRequestLike, requestPath } from '../common/http-request';
import { ProblemException, problemType, serviceUnavailable, titleFor } from '../common/problem';
import { SpaFallback } from './spa-fallback';

const PROBLEM_JSON = 'application/problem+json';

/**
 * Renders every error as RFC 9457 `application/problem+json`; unknown errors become a logged 500.
 * An error that means the database is unreachable becomes 503 with Retry-After, reported to the
 * outage tracker (which logs once per outage) instead of logged per request.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemFilter.name);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly spa: SpaFallback,
    @Optional() @Inject(OUTAGE_REPORTER) private readonly outages?: OutageReporter,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<HttpRequestLike>();
    const res = http.getResponse<unknown>();
    const adapter = this.adapterHost.httpAdapter;

    if (exception instanceof HttpException && exception.getStatus() === 404 && !(exception instanceof ProblemException)) {
      const html = this.spa.indexFor(req.method, requestPath(req));
      if (html !== null) {
        adapter.setHeader(res, 'content-type', 'text/html; charset=utf-8');
        adapter.setHeader(res, 'cache-control', 'no-cache');
        adapter.reply(res, html, 200);
        return;
      }
    }

    const { problem, headers } = this.toProblem(exception, req);
    for (const [name, value] of Object.entries(headers)) adapter.setHeader(res, name, value);
    adapter.setHeader(res, 'content-type', PROBLEM_JSON);
    adapter.reply(res, JSON.stringify(problem), problem.status);
  }

  private toProblem(exception: unknown, req: HttpRequestLike): { problem: ProblemDetails; headers: Record<string, string> } {
    if (exception instanceof ProblemException) {
      return { problem: exception.toProblem(), headers: exception.headers };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { problem: { type: problemType(status), title: titleFor(status), status, detail: detailOf(exception, status) }, headers: {} };
    }
    if (isDatabaseUnavailable(exception)) {
      this.outages?.reportError(exception);
      const p = serviceUnavailable('The database is unreachable; try again shortly', DATABASE_RETRY_AFTER_SECONDS);
      return { problem: p.toProblem(), headers: p.headers };
    }
    if (exception instanceof QueryFailedError) {
      const code = (exception as QueryFailedError & { driverError?: { code?: string } }).driverError?.code;
      if (code === '23505') {
        return { problem: { type: problemType(409), title: 'Conflict', status: 409, detail: 'A resource with these values already exists' }, headers: {} };
      }
      if (code === '22P02') {
        return { problem: { type: problemType(404), title: 'Not Found', status: 404, detail: 'Not found' }, headers: {} };
      }
    }
    this.logger.error(
      { err: exception, method: req.method, path: requestPath(req) },
      exception instanceof Error ? exception.stack : String(exception),
    );
    return { problem: { type: problemType(500), title: 'Internal Server Error', status: 500, detail: 'An unexpected error occurred' }, headers: {} };
  }
}

function detailOf(exception: HttpException, status: number): string {
  if (status === 413) return 'Request body larger than 64 KiB';
  if (status === 404) return 'Not found';
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}
