import { HttpException } from '@nestjs/common';
import type { FieldError, ProblemDetails } from '@tessera/domain';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function titleFor(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Error');
}

export function problemType(status: number): string {
  return status >= 500 ? 'about:blank' : `https://httpstatuses.io/${status}`;
}

/**
 * An RFC 9457 problem. Throw it from anywhere; the global filter renders it as
 * `application/problem+json` `{type, title, status, detail?, errors?}` plus any `headers`.
 * It is an answer, not a fault: no stack trace is captured (nothing reads it, and capturing one
 * was ≈ 10 % of the api's CPU under a flood of 401s, docs/performance.md). Unexpected errors keep
 * theirs and the filter logs it.
 */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    /** Extra response headers, e.g. WWW-Authenticate or Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(detail ?? title, status);
    Error.stackTraceLimit = limit;
  }

  toProblem(): ProblemDetails {
    const status = this.getStatus();
    const body: ProblemDetails = { type: problemType(status), title: this.title, status };
    if (this.detail !== undefined) body.detail = this.detail;
    if (this.errors !== undefined) body.errors = this.errors;
    return body;
  }
}

export const notFound = (what = 'Resource', id?: string) =>
  new ProblemException(404, 'Not Found', id ? `${what} ${id} not found` : `${what} not found`);
export const conflict = (detail: string, errors?: FieldError[]) => new ProblemException(409, 'Conflict', detail, errors);
export const forbidden = (detail: string) => new ProblemException(403, 'Forbidden', detail);
export const badRequest = (detail: string, errors?: FieldError[]) => new ProblemException(400, 'Bad Request', detail, errors);
/** 503 with Retry-After: the database is unreachable; the same request will work once it is back. */
export const serviceUnavailable = (detail: string, retryAfterSeconds: number) =>
  new ProblemException(503, 'Service Unavailable', detail, undefined, { 'retry-after': String(retryAfterSeconds) });
export const preconditionFailed = (detail: string) => new ProblemException(412, 'Precondition Failed', detail);

/** PostgreSQL unique_violation → true (use to answer 409 on name conflicts). */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e?.driverError?.code ?? e?.code;
  const name = e?.driverError?.constraint ?? e?.constraint;
  return code === '23505' && (constraint === undefined || name === constraint);
}
