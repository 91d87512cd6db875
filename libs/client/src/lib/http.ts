import { bearerChallenge, problemFrom, retryAfterSeconds, TesseraConnectionError, TesseraProblem } from './problem.js';

/** An API token (`tsr_…`), a login session (`tss_…`), or a function that answers one per request. */
export type Credential = string | (() => string | null | undefined | Promise<string | null | undefined>);

export interface TesseraClientOptions {
  /**
   * Where Tessera answers, e.g. `http://127.0.0.1:3000` or `https://tessera.example.com/base`.
   * The api's `/api/v1` prefix is added (a URL that already ends with it is accepted too).
   */
  url: string;
  /** Sent as `Authorization: Bearer …` on every route but login and health. */
  credential?: Credential;
  /** Default: the global `fetch` (Node ≥ 18, browsers). */
  fetch?: typeof globalThis.fetch;
  /** Extra headers on every request (e.g. `user-agent`). */
  headers?: Record<string, string>;
  /** Abort a request after this many milliseconds; 0 = never. Default 30 000. */
  timeoutMs?: number;
}

export interface CallOptions {
  /** Cancels the request (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under `/api/v1` (or under the base URL with `root: true`), starting with `/`. */
  path: string;
  query?: object;
  body?: unknown;
  headers?: Record<string, string>;
  /** false: send no credential (login, health). Default true. */
  auth?: boolean;
  /** true: the path is not under `/api/v1` (e.g. `/metrics`). */
  root?: boolean;
  signal?: AbortSignal | undefined;
}

export interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

export const API_PREFIX = '/api/v1';

/** `http://host:3000/`, `http://host:3000/api/v1` → `http://host:3000`. */
export function normalizeBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`Tessera url must be an absolute http(s) URL, e.g. http://127.0.0.1:3000 (got ${JSON.stringify(url)})`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`Tessera url must use http or https (got ${parsed.protocol})`);
  }
  if (parsed.username || parsed.password) throw new TypeError('Tessera url must not carry a user or password');
  const path = parsed.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  return `${parsed.origin}${path}`;
}

/** The query string of `query`: undefined and null left out, arrays repeated. */
export function queryString(query: object | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The transport: one fetch per call, problem+json answers thrown as {@link TesseraProblem}. */
export class Http {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof globalThis.fetch;
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;
  readonly credential: Credential | undefined;

  constructor(options: TesseraClientOptions) {
    this.baseUrl = normalizeBaseUrl(options.url);
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') throw new TypeError('No fetch: pass options.fetch (Node ≥ 18 and browsers have a global one)');
    this.fetchImpl = f;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.headers = { ...(options.headers ?? {}) };
    this.credential = options.credential;
  }

  async request<T>(spec: RequestSpec): Promise<Answer<T>> {
    const path = `${spec.root ? '' : API_PREFIX}${spec.path}`;
    const url = `${this.baseUrl}${path}${queryString(spec.query)}`;
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json;q=0.9, text/plain;q=0.5',
      ...this.headers,
      ...(spec.headers ?? {}),
    };
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    if (spec.auth !== false) {
      const secret = await this.currentCredential();
      if (secret) headers['authorization'] = `Bearer ${secret}`;
    }
    const signals = [spec.signal, this.timeoutMs > 0 ? AbortSignal.timeout(this.timeoutMs) : undefined].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);

    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: spec.method,
        headers,
        ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
        ...(signal ? { signal } : {}),
        redirect: 'error',
      });
    } catch (err) {
      if (spec.signal?.aborted) throw spec.signal.reason ?? err;
      throw new TesseraConnectionError(this.baseUrl, err);
    }
    const body = await readBody(response);
    if (!response.ok) {
      const challenge = bearerChallenge(response.headers.get('www-authenticate'));
      const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));
      throw new TesseraProblem(
        problemFrom(response.status, response.statusText, body),
        { method: spec.method, path },
        {
          ...(retryAfter === undefined ? {} : { retryAfter }),
          ...(challenge.error === undefined ? {} : { bearerError: challenge.error }),
          ...(challenge.scope === undefined ? {} : { scope: challenge.scope }),
        },
      );
    }
    return { status: response.status, headers: response.headers, body: body as T };
  }

  private async currentCredential(): Promise<string | null | undefined> {
    const c = this.credential;
    return typeof c === 'function' ? c() : c;
  }
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204 || response.status === 205) return undefined;
  const text = await response.text();
  if (text === '') return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (/\bjson\b/i.test(type)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
