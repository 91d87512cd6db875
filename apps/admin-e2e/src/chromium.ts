import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's `chromium` package puts the browser. */
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** Set by global-setup, read by playwright.config in the workers. */
export const RESOLVED_PATH_VAR = 'TESSERA_E2E_CHROMIUM';
export const RESOLVED_SOURCE_VAR = 'TESSERA_E2E_CHROMIUM_SOURCE';

export type ChromiumSource = 'CHROMIUM_PATH' | 'system' | 'bundled';

export interface ResolvedChromium {
  readonly executablePath: string;
  readonly source: ChromiumSource;
}

/**
 * Picks the browser for the console tests: `CHROMIUM_PATH` when set, else Debian's Chromium
 * when present, else the headless Chromium shipped inside the `@sparticuz/chromium` npm
 * package (unpacked into the temp directory on first use, about 2 s), so `npm test` needs
 * nothing but Node and npm. `TESSERA_E2E_NO_SYSTEM_CHROMIUM=1` skips the system browser, to
 * check the bare-machine path on a machine that has one.
 */
export async function resolveChromium(env: NodeJS.ProcessEnv = process.env): Promise<ResolvedChromium> {
  const configured = env['CHROMIUM_PATH'];
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return { executablePath: configured, source: 'CHROMIUM_PATH' };
  }
  if (env['TESSERA_E2E_NO_SYSTEM_CHROMIUM'] !== '1' && existsSync(SYSTEM_CHROMIUM)) {
    return { executablePath: SYSTEM_CHROMIUM, source: 'system' };
  }
  const { default: bundled } = await import('@sparticuz/chromium');
  return { executablePath: await bundled.executablePath(), source: 'bundled' };
}

/**
 * Environment for the browser process. The bundled Chromium carries its own fonts; use them
 * when the machine has no fontconfig setup of its own (a bare container), so screenshots show
 * text rather than empty boxes.
 */
export function browserEnv(source: string | undefined, env: NodeJS.ProcessEnv = process.env): Record<string, string> | undefined {
  if (source !== 'bundled' || env['FONTCONFIG_PATH'] || existsSync('/etc/fonts/fonts.conf')) return undefined;
  const defined = Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return { ...Object.fromEntries(defined), FONTCONFIG_PATH: join(tmpdir(), 'fonts') };
}
