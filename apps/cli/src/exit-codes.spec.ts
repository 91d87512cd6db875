import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TesseraConnectionError, TesseraProblem } from '@tessera/client';
import { CliError, EXIT, exitCodeOf, exitCodeOfStatus } from './exit-codes';

describe('exit codes', () => {
  it('are each documented in docs/integrating.md (a new one fails here until it has its row)', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/integrating.md'), 'utf8');
    const start = doc.indexOf('### Exit codes');
    const end = doc.indexOf('\n#', start + 1);
    const table = doc.slice(start, end === -1 ? undefined : end);
    for (const code of Object.values(EXIT)) expect(table).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });

  it('map every api status a script must tell apart', () => {
    expect(exitCodeOfStatus(400)).toBe(EXIT.usage);
    expect(exitCodeOfStatus(413)).toBe(EXIT.usage);
    expect(exitCodeOfStatus(401)).toBe(EXIT.auth);
    expect(exitCodeOfStatus(403)).toBe(EXIT.forbidden);
    expect(exitCodeOfStatus(404)).toBe(EXIT.notFound);
    expect(exitCodeOfStatus(410)).toBe(EXIT.notFound);
    expect(exitCodeOfStatus(409)).toBe(EXIT.conflict);
    expect(exitCodeOfStatus(412)).toBe(EXIT.conflict);
    expect(exitCodeOfStatus(429)).toBe(EXIT.retryLater);
    expect(exitCodeOfStatus(503)).toBe(EXIT.retryLater);
    expect(exitCodeOfStatus(500)).toBe(EXIT.unavailable);
    expect(exitCodeOfStatus(502)).toBe(EXIT.unavailable);
  });

  it('never answer 0 for a failure', () => {
    for (let status = 400; status < 600; status++) {
      const err = new TesseraProblem({ type: 'about:blank', title: 'x', status }, { method: 'GET', path: '/' });
      expect(exitCodeOf(err)).not.toBe(EXIT.ok);
    }
    expect(exitCodeOf(new TesseraConnectionError('http://x', new Error('refused')))).toBe(EXIT.unavailable);
    expect(exitCodeOf(new CliError('no', EXIT.auth))).toBe(EXIT.auth);
    expect(exitCodeOf(new Error('bug'))).not.toBe(EXIT.ok);
  });
});
