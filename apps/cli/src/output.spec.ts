import { PassThrough } from 'node:stream';
import { colorEnabled, Output, type CliIo } from './output';

function io(tty: boolean, env: NodeJS.ProcessEnv): { io: CliIo; text: () => string } {
  const stdout = Object.assign(new PassThrough(), { isTTY: tty });
  let text = '';
  stdout.on('data', (c: Buffer) => (text += c.toString()));
  return { io: { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env }, text: () => text };
}

const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[`);
const stripAnsi = (s: string | undefined) => (s ?? '').split(ESC).map((part, i) => (i === 0 ? part : part.replace(/^\[[0-9;]*m/, ''))).join('');

describe('output', () => {
  it('colours only a terminal, never with NO_COLOR or TERM=dumb; FORCE_COLOR forces it', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
  });

  const rows = [
    { name: 'deploys', status: 'active' },
    { name: 'a much longer name', status: 'revoked' },
  ];
  const columns = (out: Output) => [
    { header: 'NAME', value: (r: (typeof rows)[number]) => r.name },
    { header: 'STATUS', value: (r: (typeof rows)[number]) => r.status, paint: (s: string) => out.color.red(s) },
  ];

  it('prints an aligned table with a header on a terminal', () => {
    const { io: i, text } = io(true, {});
    const out = new Output(i, false);
    out.table(rows, columns(out));
    const lines = text().split('\n');
    expect(text()).toMatch(ANSI);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain('NAME');
    expect(stripAnsi(lines[1]).indexOf('active')).toBe(stripAnsi(lines[2]).indexOf('revoked'));
  });

  it('prints tab-separated rows without header or colour when piped, and no colour on a terminal with NO_COLOR', () => {
    const piped = io(false, {});
    const out = new Output(piped.io, false);
    out.table(rows, columns(out));
    expect(piped.text()).toBe('deploys\tactive\na much longer name\trevoked\n');

    const noColor = io(true, { NO_COLOR: '1' });
    const out2 = new Output(noColor.io, false);
    out2.table(rows, columns(out2));
    expect(noColor.text()).not.toMatch(ANSI);
    expect(noColor.text()).toContain('NAME');
  });
});
