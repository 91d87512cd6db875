import { createInterface } from 'node:readline';
import { CliError, EXIT } from './exit-codes';
import type { CliIo } from './output';

/** Everything on stdin (for `--password-stdin`), without the final line break. */
export async function readAllStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** One line typed at the terminal; with `hidden`, nothing is echoed (a password). */
export function ask(io: CliIo, question: string, hidden = false): Promise<string> {
  if (!io.stdin.isTTY) {
    return Promise.reject(new CliError('stdin is not a terminal: nothing to ask', EXIT.usage));
  }
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
    const internal = rl as unknown as { _writeToOutput?: (s: string) => void; output: NodeJS.WritableStream };
    let asked = false;
    if (hidden) {
      internal._writeToOutput = (s: string) => {
        // the question itself, and the final line break, are shown; typed characters are not
        if (!asked || s === '\r\n' || s === '\n') internal.output.write(s);
      };
    }
    rl.on('SIGINT', () => {
      rl.close();
      reject(new CliError('interrupted', EXIT.interrupted));
    });
    rl.question(question, (answer) => {
      if (hidden) io.stderr.write('\n');
      rl.close();
      resolve(answer);
    });
    asked = true;
  });
}

/**
 * "Are you sure?" for what cannot be undone. `--yes` skips it; without a terminal to ask on, the
 * command refuses (a script must say `--yes`), as gh does.
 */
export async function confirm(io: CliIo, question: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!io.stdin.isTTY) {
    throw new CliError(`${question} Refusing without --yes (stdin is not a terminal)`, EXIT.usage);
  }
  const answer = (await ask(io, `${question} [y/N] `)).trim().toLowerCase();
  if (answer !== 'y' && answer !== 'yes') throw new CliError('Cancelled', EXIT.usage);
}
