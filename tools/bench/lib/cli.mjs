// What the bench and the drills share besides processes and HTTP: their `--key=value` options, the
// wait for a freshly started api, and the build of the api when dist/ lacks it.
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { call } from './http.mjs';
import { runChild } from './processes.mjs';

/** `--key=value` and `--flag` (→ 'true') from the command line, as an object. */
export function cliArgs(argv = process.argv.slice(2)) {
  return Object.fromEntries(
    argv.map((a) => {
      const [k, v] = a.replace(/^--/, '').split('=');
      return [k, v ?? 'true'];
    }),
  );
}

/**
 * Polls `base + path` until `ready(status)` (within 120 s); throws with the process's last output
 * if it exits or never gets there.
 */
export async function waitForServer(name, child, base, path, ready, log) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (!child.running) throw new Error(`${name} exited while starting:\n${child.output()}`);
    try {
      if (ready((await call(base, 'GET', path, { timeoutMs: 2_000 })).status)) {
        log(`${name} (pid ${child.pid}) on ${base}`);
        return;
      }
    } catch {
      /* not yet */
    }
    await sleep(200);
  }
  throw new Error(`${name} did not answer ${path} as expected within 120 s:\n${child.output()}`);
}

/** `nx build api` (development build) when `main` is missing or `force`. */
export async function buildApiUnlessBuilt(root, main, force, log) {
  if (!force && existsSync(main)) return;
  log('building the api (nx build api)…');
  await runChild('nx build api', 'npx', ['nx', 'build', 'api', '--outputStyle=static'], {
    cwd: root,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
  });
}
