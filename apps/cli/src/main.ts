import { resolve } from 'node:path';
import { run } from './cli';

// The bundle lives in dist/apps/cli/ of the workspace (bin/tessera.mjs builds it on first use).
const workspaceRoot = resolve(__dirname, '../../..');
const stop = new AbortController();
// First Ctrl-C ends a follow (`audit tail -f`) cleanly; a second one kills.
process.once('SIGINT', () => {
  stop.abort();
  process.once('SIGINT', () => process.exit(130));
});

void run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, signal: stop.signal }, { workspaceRoot }).then(
  (code) => {
    process.exitCode = code;
  },
);
