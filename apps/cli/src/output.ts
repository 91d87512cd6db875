import type { Readable, Writable } from 'node:stream';
import { createColors } from 'picocolors';

type Colors = ReturnType<typeof createColors>;

/** Where the CLI reads and writes: the real process, or a test's buffers. */
export interface CliIo {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  env: NodeJS.ProcessEnv;
  /** Ends a follow (`audit tail --follow`); the real process wires SIGINT to it. */
  signal?: AbortSignal;
  /** Sleeps between polls (tests pass a shorter one). Default: setTimeout. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Colour only on a terminal, never with NO_COLOR set (https://no-color.org) or TERM=dumb;
 * FORCE_COLOR (not "0") turns it on anywhere.
 */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '' && force !== '0') return true;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return stream.isTTY === true;
}

export class Output {
  readonly color: Colors;
  readonly errColor: Colors;
  /** Human output on a terminal: aligned tables with a header. Off: tab-separated rows, no header. */
  readonly tty: boolean;

  constructor(
    readonly io: CliIo,
    readonly json: boolean,
  ) {
    this.color = createColors(colorEnabled(io.stdout, io.env));
    this.errColor = createColors(colorEnabled(io.stderr, io.env));
    this.tty = io.stdout.isTTY === true;
  }

  line(text = ''): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** Messages for people (progress, confirmations): stderr, so stdout stays parseable. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  printJson(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, this.tty ? 2 : undefined)}\n`);
  }

  /**
   * Rows as a table on a terminal (header, padded columns, `paint` per cell for colour), else as
   * tab-separated lines without header, one row per line (what `cut`/`awk` want, as gh does).
   */
  table<T>(rows: T[], columns: { header: string; value: (row: T) => string; paint?: (text: string, row: T) => string; max?: number }[]): void {
    if (!this.tty) {
      for (const row of rows) this.line(columns.map((c) => c.value(row).replace(/[\t\n]/g, ' ')).join('\t'));
      return;
    }
    const cells = rows.map((row) => columns.map((c) => truncate(c.value(row), c.max ?? 60)));
    const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] ?? '').length)));
    this.line(columns.map((c, i) => this.color.bold(c.header.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
    rows.forEach((row, r) => {
      const line = columns.map((c, i) => {
        const text = cells[r]?.[i] ?? '';
        const padded = text.padEnd(i === columns.length - 1 ? 0 : (widths[i] ?? 0));
        return c.paint ? c.paint(padded, row) : padded;
      });
      this.line(line.join('  ').trimEnd());
    });
  }

  /** `label: value` lines (a record shown to a person). */
  fields(pairs: [string, string][]): void {
    const width = Math.max(...pairs.map(([k]) => k.length));
    for (const [k, v] of pairs) this.line(`${this.color.dim(`${k}:`.padEnd(width + 1))} ${v}`);
  }
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
