import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../database/embedded-postgres';

const ROOT = join(__dirname, '../../../../..');
const REGISTER = join(__dirname, 'register-ts.cjs');
const SOURCE = join(ROOT, 'apps/api/src');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment of a child: this process's, minus what would point it elsewhere, plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  delete base['DATABASE_URL'];
  // Nx sets TS_NODE_* (e.g. moduleResolution node10, refused by TypeScript 6) for its own use.
  for (const name of Object.keys(base)) if (name.startsWith('TS_NODE_')) delete base[name];
  return { ...base, LOG_LEVEL: 'warn', ...env };
}

/** Runs `tessera <args>` (apps/api/src/cli/main.ts, what dist/apps/api/cli.js is built from) to its end. */
export function runCliProcess(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', REGISTER, join(SOURCE, 'cli/main.ts'), ...args], {
      cwd: ROOT,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface ApiProcess {
  url: string;
  /** The child's process id (its memory is read from /proc/<pid>/status). */
  pid: number;
  stop(): Promise<void>;
}

/** Starts the api (apps/api/src/main.ts) as `npm start` would, on a free port; resolves once ready. */
export async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, ['-r', REGISTER, join(SOURCE, 'main.ts')], {
    cwd: ROOT,
    env: childEnv({ PORT: String(port), HOST: '127.0.0.1', SERVE_ADMIN: 'off', ...env }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const deadline = Date.now() + 180_000; // ts-node compiles the whole api first: slow on a busy machine
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`api exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/api/v1/health/ready`)).ok) return { url, pid: child.pid as number, stop };
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  await stop();
  throw new Error(`api not ready in time: ${stderr}`);
}
