import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { normalizeBaseUrl } from '@tessera/client';

/** One login, per Tessera URL. The session token (`tss_…`) is the only secret the CLI keeps. */
export interface StoredSession {
  token: string;
  expiresAt: string;
  email: string;
}

export interface CliConfig {
  version: 1;
  /** The URL of the last login: the default for every command. */
  current?: string;
  sessions: Record<string, StoredSession>;
}

const EMPTY: CliConfig = { version: 1, sessions: {} };

/** `$XDG_CONFIG_HOME/tessera`, else `~/.config/tessera` (also on macOS, as gh and glab do). */
export function configDir(env: NodeJS.ProcessEnv): string {
  const xdg = env['XDG_CONFIG_HOME'];
  const base = xdg && xdg.startsWith('/') ? xdg : join(env['HOME'] || homedir(), '.config');
  return join(base, 'tessera');
}

export function configFile(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), 'config.json');
}

/**
 * The config file, or an empty one. A file others can read is still read (the session in it may
 * already have leaked), but `warn` is told, and the next write tightens it.
 */
export async function readConfig(env: NodeJS.ProcessEnv, warn: (line: string) => void): Promise<CliConfig> {
  const file = configFile(env);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return structuredClone(EMPTY);
    throw err;
  }
  const mode = (await stat(file)).mode & 0o777;
  if (mode & 0o077) warn(`${file} is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${file}`);
  try {
    const parsed = JSON.parse(text) as Partial<CliConfig>;
    if (parsed && typeof parsed === 'object' && parsed.sessions && typeof parsed.sessions === 'object') {
      return { version: 1, sessions: parsed.sessions, ...(typeof parsed.current === 'string' ? { current: parsed.current } : {}) };
    }
  } catch {
    // fall through: an unreadable file is replaced on the next login
  }
  warn(`${file} is not a Tessera CLI config; ignoring it (log in again to replace it)`);
  return structuredClone(EMPTY);
}

/**
 * Writes the config atomically with mode 0600 in a directory of mode 0700: a temp file created
 * exclusively with 0600, then renamed over the old one, so the session is never readable by others,
 * not even for a moment, and a crash leaves the old file whole.
 */
export async function writeConfig(env: NodeJS.ProcessEnv, config: CliConfig): Promise<string> {
  const dir = configDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const file = configFile(env);
  const temp = join(dir, `.config.json.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await chmod(file, 0o600);
  return file;
}

export function sessionKey(url: string): string {
  return normalizeBaseUrl(url);
}
