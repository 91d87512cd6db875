import type { Command } from 'commander';
import { TesseraClient, TesseraProblem } from '@tessera/client';
import { writeConfig } from '../config-store';
import { USER_AGENT, type Context } from '../context';
import { CliError, EXIT } from '../exit-codes';
import { ask, readAllStdin } from '../prompt';

type Run = (ctx: Context) => Promise<void>;
type Action = (make: (cmd: Command) => Run) => (...args: unknown[]) => Promise<void>;

export function registerAuth(program: Command, action: Action): void {
  program
    .command('login')
    .description('log in with email and password; the session (3 hours) is kept in the config directory, mode 0600')
    .option('--email <email>', 'your email (asked when omitted)')
    .option('--password-stdin', 'read the password from stdin (for scripts) instead of asking')
    .action(
      action((cmd) => async (ctx) => {
        const o = cmd.opts<{ email?: string; passwordStdin?: boolean }>();
        const email = o.email ?? (await ask(ctx.io, 'Email: ')).trim();
        const password = o.passwordStdin ? await readAllStdin(ctx.io) : await ask(ctx.io, 'Password: ', true);
        if (!email || !password) throw new CliError('Email and password are required', EXIT.usage);
        const url = await ctx.url();
        let session;
        try {
          session = await (await ctx.anonymousClient()).auth.login({ email, password });
        } catch (err) {
          // the api answers one generic 401 for every kind of wrong login; say it in the CLI's words
          if (err instanceof TesseraProblem && err.status === 401) throw new CliError('Wrong email or password', EXIT.auth);
          throw err;
        }
        const config = await ctx.loadConfig();
        config.sessions[url] = { token: session.token, expiresAt: session.expiresAt, email: session.user.email };
        config.current = url;
        const file = await writeConfig(ctx.io.env, config);
        if (ctx.out.json) return ctx.out.printJson({ url, user: session.user, expiresAt: session.expiresAt, configFile: file });
        ctx.out.note(`${ctx.out.errColor.green('✓')} Logged in to ${url} as ${session.user.email} until ${session.expiresAt}`);
      }),
    );

  program
    .command('logout')
    .description('end the stored session on Tessera and forget it here')
    .action(
      action(() => async (ctx) => {
        const url = await ctx.url();
        const config = await ctx.loadConfig();
        const stored = config.sessions[url];
        if (!stored) throw new CliError(`Not logged in to ${url}`, EXIT.auth);
        try {
          await new TesseraClient({ url, credential: stored.token, headers: { 'user-agent': USER_AGENT } }).auth.logout();
        } catch (err) {
          // an expired or ended session is gone already: forgetting it is all that is left
          if (!(err instanceof TesseraProblem && err.status === 401)) throw err;
        }
        delete config.sessions[url];
        if (config.current === url) delete config.current;
        await writeConfig(ctx.io.env, config);
        if (ctx.out.json) return ctx.out.printJson({ url, loggedOut: true });
        ctx.out.note(`${ctx.out.errColor.green('✓')} Logged out of ${url}`);
      }),
    );

  program
    .command('whoami')
    .description('who the CLI acts as (user or token), its organization and permissions')
    .action(
      action(() => async (ctx) => {
        const me = await (await ctx.client()).auth.me();
        if (ctx.out.json) return ctx.out.printJson(me);
        ctx.out.fields([
          ['URL', await ctx.url()],
          [me.kind === 'user' ? 'User' : 'Token', me.email ? `${me.name} <${me.email}>` : me.name],
          ['Organization', me.organization.name],
          ['Permissions', me.permissions.join(', ') || '—'],
        ]);
      }),
    );
}
