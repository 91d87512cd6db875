import { runCli } from './run-cli';

/** `npm run tessera -- <command>`: operator commands (dist/apps/api/cli.js). See run-cli.ts. */
void runCli(process.argv.slice(2), process.env).then((code) => process.exit(code));
