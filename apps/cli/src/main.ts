import { resolve } from 'node:path';
import { run } from './cli';

// The bundle lives in dist/apps/cli/ of the workspace (bin/tessera.mjs builds it on first use).
const workspaceRoot = resolve(__dirname, '../../..');
const stop = new AbortController();
// Ctrl-C ends a follow (`audit tail -f`) cleanly (exit 0); any other command is stopped with 130
// when it has not finished half a second later.
process.once('SIGINT', () => {
  stop.abort();
  setTimeout(() => process.exit(130), 500).unref();
  process.once('SIGINT', () => process.exit(130));
});

void run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, signal: stop.signal }, { workspaceRoot }).then(
  (code) => {
    process.exitCode = code;
  },
);
