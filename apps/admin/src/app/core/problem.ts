import { HttpErrorResponse } from '@angular/common/http';
import type { FieldError } from '@tessera/domain';

export interface ProblemInfo {
  status: number;
  message: string;
  errors: FieldError[];
}

/** Reads an api error (application/problem+json) into a message and its field errors. */
export function readProblem(error: unknown): ProblemInfo {
  if (error instanceof HttpErrorResponse) {
    const body: unknown = error.error;
    if (body && typeof body === 'object') {
      const p = body as { title?: unknown; detail?: unknown; errors?: unknown };
      const errors = Array.isArray(p.errors)
        ? (p.errors as unknown[]).filter(isFieldError)
        : [];
      const detail = typeof p.detail === 'string' && p.detail ? p.detail : null;
      const title = typeof p.title === 'string' && p.title ? p.title : null;
      return { status: error.status, message: detail ?? title ?? fallback(error.status), errors };
    }
    return { status: error.status, message: fallback(error.status), errors: [] };
  }
  return { status: 0, message: error instanceof Error ? error.message : 'Something went wrong', errors: [] };
}

function isFieldError(e: unknown): e is FieldError {
  return !!e && typeof e === 'object' && typeof (e as FieldError).field === 'string' && typeof (e as FieldError).message === 'string';
}

function fallback(status: number): string {
  if (status === 0) return 'The server cannot be reached';
  if (status === 403) return 'You do not have permission to do this';
  if (status === 404) return 'Not found';
  if (status === 409) return 'This conflicts with the current state';
  if (status === 412) return 'Someone else changed this meanwhile; reload and try again';
  if (status === 429) return 'Too many attempts; wait a moment';
  return `Request failed (${status})`;
}
