import fc from 'fast-check';
import { Http, normalizeBaseUrl, queryString } from './http';
import { TesseraConnectionError, TesseraProblem } from './problem';

describe('normalizeBaseUrl', () => {
  it('accepts the server root, a trailing slash, the api prefix and a path prefix', () => {
    expect(normalizeBaseUrl('http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000');
    expect(normalizeBaseUrl('http://127.0.0.1:3000/')).toBe('http://127.0.0.1:3000');
    expect(normalizeBaseUrl('https://t.example.com/api/v1/')).toBe('https://t.example.com');
    expect(normalizeBaseUrl('https://example.com/tessera')).toBe('https://example.com/tessera');
  });

  it('refuses what is not an http(s) URL, and URLs that carry a password', () => {
    expect(() => normalizeBaseUrl('localhost:3000')).toThrow(/http/);
    expect(() => normalizeBaseUrl('file:///etc/passwd')).toThrow(/http or https/);
    expect(() => normalizeBaseUrl('https://admin:pw@t.example.com')).toThrow(/user or password/);
  });
});

describe('queryString', () => {
  it('leaves out undefined and null, repeats arrays, escapes values', () => {
    expect(queryString({ q: 'ci deploy', status: undefined, guid: null, page: 2 })).toBe('?q=ci+deploy&page=2');
    expect(queryString({ a: ['x', 'y&z'] })).toBe('?a=x&a=y%26z');
    expect(queryString({})).toBe('');
  });

  it('round-trips any string value through URLSearchParams', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const qs = queryString({ q: value });
        expect(new URLSearchParams(qs.slice(1)).get('q')).toBe(value);
      }),
    );
  });
});

/** A fetch that records what it was asked and answers `answer`. */
function recordingFetch(answer: () => Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchImpl = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return answer();
  }) as typeof fetch;
  return { calls, fetchImpl };
}

const problemAnswer = (status: number, body: object, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json', ...headers } });

describe('Http', () => {
  it('sends the credential as a bearer header, never in the URL, and no redirect is followed', async () => {
    const { calls, fetchImpl } = recordingFetch(() => Response.json({ ok: true }));
    const http = new Http({ url: 'http://tessera.test', credential: 'tsr_secret', fetch: fetchImpl });
    await http.request({ method: 'GET', path: '/auth/me', query: { q: 'x' } });
    expect(calls[0]?.url).toBe('http://tessera.test/api/v1/auth/me?q=x');
    expect((calls[0]?.init.headers as Record<string, string>)['authorization']).toBe('Bearer tsr_secret');
    expect(calls[0]?.init.redirect).toBe('error');
  });

  it('sends no credential where auth is off (login, health)', async () => {
    const { calls, fetchImpl } = recordingFetch(() => Response.json({}));
    const http = new Http({ url: 'http://tessera.test', credential: () => 'tss_x', fetch: fetchImpl });
    await http.request({ method: 'POST', path: '/auth/login', body: {}, auth: false });
    expect((calls[0]?.init.headers as Record<string, string>)['authorization']).toBeUndefined();
  });

  it('throws the problem with its fields, the bearer error and Retry-After', async () => {
    const { fetchImpl } = recordingFetch(
      problemAnswer(
        403,
        { type: 'about:blank', title: 'Forbidden', status: 403, detail: 'needs tokens:write' },
        { 'www-authenticate': 'Bearer realm="tessera", error="insufficient_scope", scope="tokens:write"', 'retry-after': '3' },
      ),
    );
    const http = new Http({ url: 'http://tessera.test', credential: 'tsr_x', fetch: fetchImpl });
    const err = await http.request({ method: 'POST', path: '/tokens', body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TesseraProblem);
    expect(err).toMatchObject({ status: 403, title: 'Forbidden', bearerError: 'insufficient_scope', scope: 'tokens:write', retryAfter: 3, path: '/api/v1/tokens' });
  });

  it('never puts the credential into an error, whatever it is', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9_]{8,60}$/), async (secret) => {
        const refused = new Http({ url: 'http://tessera.test', credential: secret, fetch: recordingFetch(problemAnswer(401, { title: 'Unauthorized', type: 'about:blank' })).fetchImpl });
        const e1 = (await refused.request({ method: 'GET', path: '/auth/me' }).catch((e: unknown) => e)) as TesseraProblem;
        const down = new Http({
          url: 'http://tessera.test',
          credential: secret,
          fetch: (async () => {
            throw new TypeError('fetch failed');
          }) as typeof fetch,
        });
        const e2 = (await down.request({ method: 'GET', path: '/auth/me' }).catch((e: unknown) => e)) as TesseraConnectionError;
        expect(e2).toBeInstanceOf(TesseraConnectionError);
        for (const e of [e1, e2]) expect(`${e.message} ${JSON.stringify(e)} ${e.stack}`).not.toContain(secret);
      }),
      { numRuns: 50 },
    );
  });
});
