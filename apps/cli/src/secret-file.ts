import { open, rm, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError, EXIT } from './exit-codes';

/**
 * `--out FILE`: the file is created (exclusively, mode 0600) before the secret exists, so a bad
 * path fails before a token is made or a secret replaced; an existing file is never overwritten.
 */
export class SecretFile {
  private constructor(
    readonly path: string,
    private handle: FileHandle | undefined,
  ) {}

  static async reserve(path: string): Promise<SecretFile> {
    const full = resolve(path);
    try {
      return new SecretFile(full, await open(full, 'wx', 0o600));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'EEXIST' ? 'it exists (choose a new file: secrets are never overwritten)' : (err as Error).message;
      throw new CliError(`Cannot write the secret to ${full}: ${why}`, EXIT.usage);
    }
  }

  async write(secret: string): Promise<void> {
    const handle = this.handle;
    if (!handle) throw new Error('secret file already closed');
    try {
      await handle.writeFile(`${secret}\n`, 'utf8');
      await handle.chmod(0o600);
    } finally {
      this.handle = undefined;
      await handle.close();
    }
  }

  /** The command failed before a secret existed: remove the empty file it reserved. */
  async abandon(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
    await rm(this.path, { force: true });
  }
}
