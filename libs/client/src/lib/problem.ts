import type { FieldError, ProblemDetails } from '@tessera/domain';

/**
 * An answer of Tessera that is not a success, as an error: the RFC 9457 problem (`type`, `title`,
 * `status`, `detail`) and the fields it names (`fields`, from the problem's `errors`). Non-problem
 * answers (a proxy's HTML page, an empty 502) become one too, with `type` `about:blank` and the
 * status text as title.
 */
export class TesseraProblem extends Error {
  override readonly name = 'TesseraProblem';
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string | undefined;
  /** Every bad field the api named (400), `[]` otherwise. */
  readonly fields: FieldError[];
  /** Seconds from `Retry-After` (429, 503), when the answer carried it. */
  readonly retryAfter: number | undefined;
  /** The RFC 6750 `error` of `WWW-Authenticate` (`invalid_token`, `insufficient_scope`, …), when sent. */
  readonly bearerError: string | undefined;
  /** The permission the route needed (`insufficient_scope`), when sent. */
  readonly scope: string | undefined;
  readonly method: string;
  /** The path of the request (under the api prefix), never its query or body. */
  readonly path: string;

  constructor(
    problem: ProblemDetails,
    request: { method: string; path: string },
    extra: { retryAfter?: number; bearerError?: string; scope?: string } = {},
  ) {
    super(messageOf(problem));
    this.type = problem.type;
    this.title = problem.title;
    this.status = problem.status;
    this.detail = problem.detail;
    this.fields = problem.errors ?? [];
    this.retryAfter = extra.retryAfter;
    this.bearerError = extra.bearerError;
    this.scope = extra.scope;
    this.method = request.method;
    this.path = request.path;
  }

  /** The problem as the api sent it (JSON-safe), e.g. for `--json` output. */
  toJSON(): ProblemDetails {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      ...(this.fields.length === 0 ? {} : { errors: this.fields }),
    };
  }
}

/** Tessera could not be reached (DNS, refused connection, TLS, timeout, aborted). */
export class TesseraConnectionError extends Error {
  override readonly name = 'TesseraConnectionError';
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`Cannot reach Tessera at ${url}: ${describeCause(cause)}`, { cause });
  }
}

export function isTesseraProblem(err: unknown): err is TesseraProblem {
  return err instanceof TesseraProblem;
}

function messageOf(p: ProblemDetails): string {
  const head = p.detail ? `${p.title}: ${p.detail}` : p.title;
  const fields = (p.errors ?? []).map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
  return fields.length > 0 ? `${head} (${fields.join('; ')})` : head;
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as Error & { cause?: unknown }).cause;
    const code = inner && typeof inner === 'object' && 'code' in inner ? String((inner as { code: unknown }).code) : '';
    return code ? `${cause.message} (${code})` : cause.message;
  }
  return String(cause);
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** Reads a problem+json body; anything else is described from the status line. */
export function problemFrom(status: number, statusText: string, body: unknown): ProblemDetails {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const errors = Array.isArray(b['errors'])
      ? b['errors']
          .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
          .map((e) => ({ field: isString(e['field']) ? e['field'] : '', message: isString(e['message']) ? e['message'] : String(e['message']) }))
      : undefined;
    if (isString(b['title']) || isString(b['type'])) {
      return {
        type: isString(b['type']) ? b['type'] : 'about:blank',
        title: isString(b['title']) ? b['title'] : statusText || `HTTP ${status}`,
        status,
        ...(isString(b['detail']) ? { detail: b['detail'] } : {}),
        ...(errors && errors.length > 0 ? { errors } : {}),
      };
    }
  }
  return { type: 'about:blank', title: statusText || `HTTP ${status}`, status };
}

/** `Bearer realm="tessera", error="insufficient_scope", scope="tokens:write"` → its parameters. */
export function bearerChallenge(header: string | null): { error?: string; scope?: string } {
  if (!header) return {};
  const out: { error?: string; scope?: string } = {};
  for (const m of header.matchAll(/(\w+)="([^"]*)"/g)) {
    if (m[1] === 'error' && m[2] !== undefined) out.error = m[2];
    if (m[1] === 'scope' && m[2] !== undefined) out.scope = m[2];
  }
  return out;
}

/** `Retry-After` as seconds (delta-seconds or an HTTP date). */
export function retryAfterSeconds(header: string | null, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
