import { TesseraConnectionError, TesseraProblem } from '@tessera/client';

/**
 * What `tessera` exits with; scripts may rely on these (docs/integrating.md "The CLI").
 * Every value is documented there; `exit-codes.spec.ts` fails when one is added without a row.
 */
export const EXIT = {
  ok: 0,
  /** bad flags or arguments, or a body the api refused as invalid (400, 413, 422) */
  usage: 1,
  /** not logged in, session expired, credential refused (401) */
  auth: 2,
  /** no such token/role (404, 410) */
  notFound: 3,
  /** the credential may not do this (403: permission, IP, origin, endpoint, wider than the caller) */
  forbidden: 4,
  /** the change conflicts (409: name taken, already revoked, role in use; 412: edited meanwhile) */
  conflict: 5,
  /** try again later (429 throttled, 503 database unavailable); Retry-After is printed */
  retryLater: 6,
  /** Tessera unreachable, or an unexpected answer (other 5xx) */
  unavailable: 7,
  /** interrupted (Ctrl-C), as shells report SIGINT */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI itself detects (not an api answer), with the exit code it means. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function exitCodeOfStatus(status: number): ExitCode {
  if (status === 401) return EXIT.auth;
  if (status === 403) return EXIT.forbidden;
  if (status === 404 || status === 410) return EXIT.notFound;
  if (status === 409 || status === 412) return EXIT.conflict;
  if (status === 429 || status === 503) return EXIT.retryLater;
  if (status >= 400 && status < 500) return EXIT.usage;
  return EXIT.unavailable;
}

export function exitCodeOf(err: unknown): ExitCode {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof TesseraProblem) return exitCodeOfStatus(err.status);
  if (err instanceof TesseraConnectionError) return EXIT.unavailable;
  return EXIT.unavailable;
}
