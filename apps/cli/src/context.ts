import { TesseraClient } from '@tessera/client';
import { readConfig, sessionKey, type CliConfig } from './config-store';
import { CliError, EXIT } from './exit-codes';
import { Output, type CliIo } from './output';

export const DEFAULT_URL = 'http://127.0.0.1:3000';
export const USER_AGENT = 'tessera-cli/0.1';

export interface GlobalOptions {
  url?: string;
  json?: boolean;
}

/** What every command gets: where to write, which Tessera, and (on demand) a signed-in client. */
export class Context {
  readonly out: Output;
  private config: CliConfig | undefined;

  constructor(
    readonly io: CliIo,
    readonly options: GlobalOptions,
  ) {
    this.out = new Output(io, options.json === true);
  }

  async loadConfig(): Promise<CliConfig> {
    this.config ??= await readConfig(this.io.env, (line) => this.out.note(this.out.errColor.yellow(`warning: ${line}`)));
    return this.config;
  }

  /** `--url`, else TESSERA_URL, else the URL of the last login, else http://127.0.0.1:3000. */
  async url(): Promise<string> {
    const chosen = this.options.url ?? this.io.env['TESSERA_URL'] ?? (await this.loadConfig()).current ?? DEFAULT_URL;
    try {
      return sessionKey(chosen);
    } catch (err) {
      throw new CliError((err as Error).message, EXIT.usage);
    }
  }

  /** A client without credential (login). */
  async anonymousClient(): Promise<TesseraClient> {
    return new TesseraClient({ url: await this.url(), headers: { 'user-agent': USER_AGENT } });
  }

  /**
   * A client with TESSERA_TOKEN (an API token or a session, for scripts and CI), else the session
   * stored by `tessera login` for this URL.
   */
  async client(): Promise<TesseraClient> {
    const url = await this.url();
    const fromEnv = this.io.env['TESSERA_TOKEN'];
    if (fromEnv) return new TesseraClient({ url, credential: fromEnv.trim(), headers: { 'user-agent': USER_AGENT } });
    const stored = (await this.loadConfig()).sessions[url];
    if (!stored) {
      throw new CliError(`Not logged in to ${url}`, EXIT.auth, 'Run `tessera login`, or set TESSERA_TOKEN to an API token.');
    }
    if (Date.parse(stored.expiresAt) <= Date.now()) {
      throw new CliError(`Your session on ${url} expired at ${stored.expiresAt}`, EXIT.auth, 'Run `tessera login` again.');
    }
    return new TesseraClient({ url, credential: stored.token, headers: { 'user-agent': USER_AGENT } });
  }
}
