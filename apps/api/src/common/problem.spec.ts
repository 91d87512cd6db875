import { ProblemException } from './problem';

describe('ProblemException', () => {
  it('captures no stack frames, and leaves the stack depth of other errors as it was', () => {
    const before = Error.stackTraceLimit;
    const problem = new ProblemException(401, 'Unauthorized', 'The access token is invalid, expired or revoked');
    expect(problem.stack?.split('\n').filter((line) => line.trim().startsWith('at '))).toEqual([]);
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('a fault').stack).toMatch(/\n\s+at /);
  });

  it('renders as a problem with its status, title and detail', () => {
    expect(new ProblemException(403, 'Forbidden', 'no').toProblem()).toEqual({
      type: 'https://httpstatuses.io/403',
      title: 'Forbidden',
      status: 403,
      detail: 'no',
    });
  });
});
