import { spawn } from 'node:child_process';
import { Command, CommanderError } from 'commander';
import { TesseraConnectionError, TesseraProblem } from '@tessera/client';
import { registerAuth } from './commands/auth';
import { registerAudit, registerRoles } from './commands/roles-audit';
import { registerTokens } from './commands/tokens';
import { Context, DEFAULT_URL, type GlobalOptions } from './context';
import { CliError, EXIT, exitCodeOf, type ExitCode } from './exit-codes';
import { Output, type CliIo } from './output';

export const VERSION = '0.1.0';

export interface RunOptions {
  /** The workspace root, for `tessera admin` (which runs `npm run tessera -- …` there). */
  workspaceRoot?: string;
}

const HELP_AFTER = `
Where it talks to: --url, else $TESSERA_URL, else the URL of the last login, else ${DEFAULT_URL}.
Credential: $TESSERA_TOKEN (an API token, for scripts and CI), else the session of \`tessera login\`,
kept in $XDG_CONFIG_HOME/tessera/config.json (else ~/.config/tessera/config.json), mode 0600.
Secrets of created or regenerated tokens are printed once, or written to --out FILE (mode 0600).

Exit codes: 0 ok, 1 usage or invalid input, 2 not logged in or credential refused, 3 not found,
4 forbidden, 5 conflict (name taken, edited meanwhile, already revoked), 6 try again later
(429/503), 7 Tessera unreachable or failed, 130 interrupted.
Colours only on a terminal; NO_COLOR turns them off. --json prints JSON for scripts.`;

/**
 * Runs `tessera <argv>` and answers the exit code; never calls process.exit (the tests run it in
 * process). Errors go to stderr: one line (and the fields the api named), or JSON with --json.
 */
export async function run(argv: string[], io: CliIo, options: RunOptions = {}): Promise<ExitCode | number> {
  let jsonErrors = argv.includes('--json');
  const program = new Command('tessera')
    .description('Tessera from the terminal: API tokens, roles and the audit log, over the REST api')
    .version(VERSION, '-V, --version')
    .option('--url <url>', `Tessera's URL (default: $TESSERA_URL, the last login, or ${DEFAULT_URL})`)
    .option('--json', 'print JSON (secrets included where a command creates one)')
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', HELP_AFTER)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(new Output(io, false).errColor.red(s)),
    });

  let failure: unknown;
  /** the exit code of `npm run tessera` (its own codes: 0 done, 1 failed, 2 usage), passed through */
  let delegated: number | undefined;
  const action =
    (make: (cmd: Command) => (ctx: Context) => Promise<void>) =>
    async (...args: unknown[]): Promise<void> => {
      const cmd = args[args.length - 1] as Command;
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      jsonErrors = globals.json === true;
      try {
        await make(cmd)(new Context(io, globals));
      } catch (err) {
        failure = err;
      }
    };

  registerAuth(program, action);
  registerTokens(program, action);
  registerRoles(program, action);
  registerAudit(program, action);
  program
    .command('admin')
    .description('operator commands on this machine\'s database (runs `npm run tessera -- …` in the workspace): migrate | reset-password <email>')
    .argument('[args...]', 'migrate, or reset-password <email>')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (args: string[]) => {
      try {
        delegated = await delegateToOperatorCli(args, options.workspaceRoot);
      } catch (err) {
        failure = err;
      }
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    failure = err;
  }
  if (failure === undefined) return delegated ?? EXIT.ok;
  report(io, failure, jsonErrors);
  return exitCodeOf(failure);
}

function report(io: CliIo, err: unknown, json: boolean): void {
  const out = new Output(io, json);
  const red = out.errColor.red;
  if (json) {
    const body =
      err instanceof TesseraProblem
        ? { error: err.toJSON(), exitCode: exitCodeOf(err) }
        : { error: { title: err instanceof Error ? err.message : String(err), ...(err instanceof CliError && err.hint ? { hint: err.hint } : {}) }, exitCode: exitCodeOf(err) };
    io.stderr.write(`${JSON.stringify(body)}\n`);
    return;
  }
  if (err instanceof TesseraProblem) {
    out.note(red(`error: ${err.status} ${err.title}${err.detail ? `: ${err.detail}` : ''}`));
    for (const f of err.fields) out.note(`  ${f.field || '(body)'}: ${f.message}`);
    if (err.scope) out.note(`  missing permission: ${err.scope}`);
    if (err.retryAfter !== undefined) out.note(`  retry after ${err.retryAfter} s`);
    if (err.status === 401) out.note(out.errColor.dim('  Run `tessera login` (sessions last 3 hours), or check TESSERA_TOKEN.'));
    return;
  }
  if (err instanceof CliError || err instanceof TesseraConnectionError) {
    out.note(red(`error: ${err.message}`));
    if (err instanceof CliError && err.hint) out.note(out.errColor.dim(`  ${err.hint}`));
    return;
  }
  out.note(red(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
}

/** `tessera admin …` → `npm run tessera -- …` in the workspace root (the api's operator commands). */
function delegateToOperatorCli(args: string[], root: string | undefined): Promise<number> {
  if (!root) return Promise.reject(new CliError('tessera admin runs only from a Tessera workspace (npx tessera there)', EXIT.usage));
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'tessera', '--', ...args], { cwd: root, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? EXIT.interrupted : EXIT.unavailable)));
  });
}
