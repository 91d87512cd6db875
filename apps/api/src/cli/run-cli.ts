import { PasswordHasher } from '../auth/password-hasher';
import { type AppConfig, ConfigError, parseConfig } from '../config/app-config';
import { CliError, openCliDatabase } from './cli-database';
import { migrateCommand } from './migrate.command';
import { resetPasswordCommand } from './reset-password.command';

const USAGE = `Usage: npm run tessera -- <command>

Commands:
  migrate                  apply pending database migrations, then exit
  reset-password <email>   give a user a new generated password (printed once) and end their sessions

The database is the one \`npm start\` uses: DATABASE_URL when set, else the embedded PostgreSQL
in DATA_DIR/postgres (default .data/postgres; stop Tessera first, it serves one process at a time).
Both commands are recorded in the audit log with the actor "cli".`;

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

/** Runs one command; returns the exit code (0 done, 1 failed, 2 bad usage or configuration). */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    (command === undefined ? err : out)(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'migrate' && command !== 'reset-password') {
    err(`Unknown command "${command}".\n\n${USAGE}`);
    return 2;
  }
  if (command === 'migrate' ? args.length !== 0 : args.length !== 1 || !args[0]?.includes('@')) {
    err(command === 'migrate' ? 'migrate takes no argument.' : 'reset-password takes one argument: the email of the user.');
    return 2;
  }

  let config: AppConfig;
  try {
    config = parseConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`Tessera cannot run the command. ${e.message}`);
      return 2;
    }
    throw e;
  }
  const debug = config.logLevel === 'debug' || config.logLevel === 'trace';
  let db: Awaited<ReturnType<typeof openCliDatabase>> | null = null;
  try {
    db = await openCliDatabase(config, (line) => (debug ? err(line) : undefined));
    const opened = db;
    // Ctrl-C or a stop: the embedded PostgreSQL is stopped, not left running without its owner.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => void opened.close().finally(() => process.exit(130)));
    }
    if (command === 'migrate') {
      await migrateCommand(db.dataSource, out);
    } else {
      const reset = await resetPasswordCommand(db.dataSource, new PasswordHasher(config), args[0] as string);
      out(`New password for ${reset.email}: ${reset.password}`);
      err(
        `Shown once: Tessera keeps only its hash. ${reset.endedSessions} open session${reset.endedSessions === 1 ? '' : 's'} ended. ` +
          'Log in with it and change it (toolbar, "Change password").',
      );
      if (!reset.active) err(`Note: ${reset.email} is deactivated and cannot log in until an admin activates the account.`);
    }
    return 0;
  } catch (e) {
    err(e instanceof CliError ? e.message : `Failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  } finally {
    await db?.close().catch((e: unknown) => err(`Could not close the database cleanly: ${(e as Error).message}`));
  }
}
