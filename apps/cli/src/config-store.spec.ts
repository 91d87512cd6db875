import fc from 'fast-check';
import { mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configDir, configFile, readConfig, writeConfig, type CliConfig } from './config-store';

const session = (token: string): CliConfig => ({
  version: 1,
  current: 'http://127.0.0.1:3000',
  sessions: { 'http://127.0.0.1:3000': { token, expiresAt: '2030-01-01T00:00:00.000Z', email: 'a@b.test' } },
});

describe('the CLI config file', () => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'tessera-cli-config-'));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('lives in $XDG_CONFIG_HOME/tessera, else ~/.config/tessera (a relative XDG path is ignored, as the spec says)', () => {
    expect(configDir({ XDG_CONFIG_HOME: '/x/conf', HOME: '/home/u' })).toBe('/x/conf/tessera');
    expect(configDir({ HOME: '/home/u' })).toBe('/home/u/.config/tessera');
    expect(configDir({ XDG_CONFIG_HOME: 'relative', HOME: '/home/u' })).toBe('/home/u/.config/tessera');
  });

  it('is written with mode 0600 in a 0700 directory whatever the umask, and read back', async () => {
    const before = process.umask();
    try {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 0o777 }), async (umask) => {
          process.umask(umask & 0o077);
          const env = { XDG_CONFIG_HOME: join(home, `u${umask}`) };
          await writeConfig(env, session('tss_abc'));
          expect((await stat(configFile(env))).mode & 0o777).toBe(0o600);
          expect((await stat(configDir(env))).mode & 0o777).toBe(0o700);
          expect(await readConfig(env, () => undefined)).toEqual(session('tss_abc'));
        }),
        { numRuns: 20 },
      );
    } finally {
      process.umask(before);
    }
  });

  it('tightens a file others could read on the next write, and warns when reading it', async () => {
    const env = { XDG_CONFIG_HOME: home };
    await writeConfig(env, session('tss_1'));
    await chmod(configFile(env), 0o644);
    const warnings: string[] = [];
    await readConfig(env, (w) => warnings.push(w));
    expect(warnings.join()).toMatch(/readable by others/);
    await writeConfig(env, session('tss_2'));
    expect((await stat(configFile(env))).mode & 0o777).toBe(0o600);
  });

  it('ignores a file that is not a CLI config (with a warning) instead of failing', async () => {
    const env = { XDG_CONFIG_HOME: home };
    await writeConfig(env, session('tss_1'));
    await writeFile(configFile(env), 'not json', { mode: 0o600 });
    const warnings: string[] = [];
    expect(await readConfig(env, (w) => warnings.push(w))).toEqual({ version: 1, sessions: {} });
    expect(warnings).toHaveLength(1);
    expect(await readFile(configFile(env), 'utf8')).toBe('not json');
  });
});
