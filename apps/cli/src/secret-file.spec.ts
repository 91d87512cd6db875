import { mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './exit-codes';
import { SecretFile } from './secret-file';

describe('--out FILE', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-secret-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the secret with mode 0600, whatever the umask', async () => {
    const before = process.umask(0);
    try {
      const file = await SecretFile.reserve(join(dir, 'secret'));
      await file.write('tsr_x');
      expect((await stat(join(dir, 'secret'))).mode & 0o777).toBe(0o600);
      expect(await readFile(join(dir, 'secret'), 'utf8')).toBe('tsr_x\n');
    } finally {
      process.umask(before);
    }
  });

  it('never writes through a symlink planted at the path, dangling or not', async () => {
    const victim = join(dir, 'victim');
    await writeFile(victim, 'keep');
    await symlink(victim, join(dir, 'link'));
    await symlink(join(dir, 'does-not-exist-yet'), join(dir, 'dangling'));
    await expect(SecretFile.reserve(join(dir, 'link'))).rejects.toThrow(CliError);
    await expect(SecretFile.reserve(join(dir, 'dangling'))).rejects.toThrow(CliError);
    expect(await readFile(victim, 'utf8')).toBe('keep');
    await expect(stat(join(dir, 'does-not-exist-yet'))).rejects.toThrow(/ENOENT/);
  });

  it('removes the file it reserved when the command fails before a secret exists', async () => {
    const file = await SecretFile.reserve(join(dir, 'unused'));
    await file.abandon();
    await expect(stat(join(dir, 'unused'))).rejects.toThrow(/ENOENT/);
  });
});
