import fc from 'fast-check';
import { bearerChallenge, problemFrom, retryAfterSeconds, TesseraProblem } from './problem';

describe('problemFrom', () => {
  it('keeps type, title, detail and every named field of a problem+json body', () => {
    const p = problemFrom(400, 'Bad Request', {
      type: 'https://tessera.dev/problems/validation',
      title: 'Invalid request',
      status: 400,
      detail: 'The body has 2 problems',
      errors: [
        { field: 'name', message: 'Name is required' },
        { field: 'allowedIps.1', message: 'not an IP' },
      ],
    });
    expect(p).toEqual({
      type: 'https://tessera.dev/problems/validation',
      title: 'Invalid request',
      status: 400,
      detail: 'The body has 2 problems',
      errors: [
        { field: 'name', message: 'Name is required' },
        { field: 'allowedIps.1', message: 'not an IP' },
      ],
    });
  });

  it('describes a body that is not a problem (a proxy page) from the status line', () => {
    expect(problemFrom(502, 'Bad Gateway', '<html>oops</html>')).toEqual({ type: 'about:blank', title: 'Bad Gateway', status: 502 });
    expect(problemFrom(500, '', undefined)).toEqual({ type: 'about:blank', title: 'HTTP 500', status: 500 });
  });

  it('takes the status of the answer, not the one a body claims', () => {
    expect(problemFrom(403, 'Forbidden', { type: 'x', title: 'T', status: 200 }).status).toBe(403);
  });

  it('never throws and always answers a string title, whatever the body', () => {
    fc.assert(
      fc.property(fc.integer({ min: 400, max: 599 }), fc.string(), fc.jsonValue(), (status, text, body) => {
        const p = problemFrom(status, text, body);
        expect(typeof p.title).toBe('string');
        expect(p.status).toBe(status);
        for (const e of p.errors ?? []) expect(typeof e.field).toBe('string');
      }),
    );
  });
});

describe('TesseraProblem', () => {
  it('reads as one sentence naming the fields, and serialises back to the problem', () => {
    const problem = { type: 'about:blank', title: 'Invalid request', status: 400, errors: [{ field: 'name', message: 'Name is required' }] };
    const err = new TesseraProblem(problem, { method: 'POST', path: '/api/v1/tokens' });
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('Invalid request (name: Name is required)');
    expect(err.fields).toEqual(problem.errors);
    expect(JSON.parse(JSON.stringify(err))).toEqual(problem);
  });
});

describe('bearerChallenge and retryAfterSeconds', () => {
  it('reads the RFC 6750 error and scope', () => {
    expect(bearerChallenge('Bearer realm="tessera", error="insufficient_scope", scope="tokens:write"')).toEqual({
      error: 'insufficient_scope',
      scope: 'tokens:write',
    });
    expect(bearerChallenge('Bearer realm="tessera"')).toEqual({});
    expect(bearerChallenge(null)).toEqual({});
  });

  it('reads delta-seconds and HTTP dates', () => {
    expect(retryAfterSeconds('7')).toBe(7);
    expect(retryAfterSeconds('Thu, 01 Jan 2030 00:00:10 GMT', Date.parse('2030-01-01T00:00:00Z'))).toBe(10);
    expect(retryAfterSeconds('soon')).toBeUndefined();
    expect(retryAfterSeconds(null)).toBeUndefined();
  });
});
