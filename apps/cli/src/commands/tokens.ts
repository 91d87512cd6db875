import type { Command } from 'commander';
import { Option } from 'commander';
import type { CreatedTokenDto, TesseraClient, TokenDto, TokenListParams, TokenStatus } from '@tessera/client';
import { TOKEN_SORTS, TOKEN_STATUSES } from '@tessera/domain';
import type { Context } from '../context';
import { CliError, EXIT } from '../exit-codes';
import type { Output } from '../output';
import { confirm } from '../prompt';
import { SecretFile } from '../secret-file';
import { collect, createBody, updateBody, UUID, type TokenFlags } from '../token-flags';

type Run = (ctx: Context) => Promise<void>;
type Action = (make: (cmd: Command) => Run) => (...args: unknown[]) => Promise<void>;

/** A token id, or its exact name (case-insensitive; names are unique per organization). */
export async function findToken(client: TesseraClient, ref: string): Promise<TokenDto> {
  if (UUID.test(ref)) return client.tokens.get(ref);
  const page = await client.tokens.list({ q: ref, pageSize: 100 });
  const match = page.items.find((t) => t.name.toLowerCase() === ref.trim().toLowerCase());
  if (!match) throw new CliError(`No token named ${JSON.stringify(ref)}`, EXIT.notFound);
  return match;
}

function paintStatus(out: Output, status: TokenStatus, text: string = status): string {
  const c = out.color;
  const paint: Record<TokenStatus, (s: string) => string> = { active: c.green, inactive: c.yellow, pending: c.cyan, expired: c.dim, revoked: c.red };
  return paint[status](text);
}

const day = (iso: string | null, none: string): string => (iso ? iso.replace(/\.\d{3}Z$/, 'Z') : none);

function permissionsText(t: TokenDto, max = 3): string {
  const shown = t.permissions.slice(0, max).join(', ');
  return t.permissions.length > max ? `${shown} +${t.permissions.length - max} more` : shown;
}

function printTokens(out: Output, tokens: TokenDto[]): void {
  out.table(tokens, [
    { header: 'NAME', value: (t) => t.name, max: 40 },
    { header: 'ID', value: (t) => t.id },
    { header: 'STATUS', value: (t) => t.status, paint: (s, t) => paintStatus(out, t.status, s) },
    { header: 'PERMISSIONS', value: (t) => (out.tty ? permissionsText(t) : t.permissions.join(',')), max: 50 },
    { header: 'EXPIRES', value: (t) => day(t.validTo, 'never') },
    { header: 'LAST USED', value: (t) => day(t.lastUsedAt, 'never') },
  ]);
}

function list(values: string[]): string {
  return values.length === 0 ? '—' : values.join(', ');
}

function printToken(out: Output, t: TokenDto): void {
  out.fields([
    ['Name', out.color.bold(t.name)],
    ['ID', t.id],
    ['Status', paintStatus(out, t.status)],
    ['Description', t.description || '—'],
    ['Role', t.roleName ?? '—'],
    ['Scopes', list(t.scopes)],
    ['Permissions', list(t.permissions)],
    ['Allowed IPs', list(t.allowedIps)],
    ['Blocked IPs', list(t.blockedIps)],
    ['Allowed endpoints', list(t.allowedEndpoints)],
    ['Blocked endpoints', list(t.blockedEndpoints)],
    ['Allowed origins', list(t.allowedOrigins)],
    ['Valid from', day(t.validFrom, 'creation')],
    ['Expires', day(t.validTo, 'never')],
    ['Revoked', day(t.revokedAt, '—')],
    ['Created', `${day(t.createdAt, '')} by ${t.createdBy.name} (${t.createdBy.kind})`],
    ['Last used', t.lastUsedAt ? `${day(t.lastUsedAt, '')} from ${t.lastUsedIp ?? '?'}` : 'never'],
    ['Uses', String(t.useCount)],
    ['Hint', t.hint],
  ]);
}

/**
 * The secret, once: into `--out FILE` (0600) when given, else on stdout (alone on its line, or
 * inside the JSON). Never anywhere else: not in the config, not in a message.
 */
async function deliverSecret(ctx: Context, created: CreatedTokenDto, file: SecretFile | undefined, verb: string): Promise<void> {
  const { out } = ctx;
  if (file) {
    try {
      await file.write(created.secret);
    } catch (err) {
      out.note(out.errColor.red(`Could not write ${file.path} (${(err as Error).message}); here is the secret instead:`));
      file = undefined;
    }
  }
  if (out.json) {
    out.printJson(file ? { token: created.token, secretFile: file.path } : created);
  } else if (file) {
    out.note(`${out.errColor.green('✓')} ${verb} token ${JSON.stringify(created.token.name)} (${created.token.id}); secret written to ${file.path} (mode 0600)`);
  } else {
    out.note(`${out.errColor.green('✓')} ${verb} token ${JSON.stringify(created.token.name)} (${created.token.id}). Copy the secret now: it is shown only once.`);
    out.line(created.secret);
  }
}

async function withSecretFile<T>(path: string | undefined, work: (file: SecretFile | undefined) => Promise<T>): Promise<T> {
  const file = path === undefined ? undefined : await SecretFile.reserve(path);
  try {
    return await work(file);
  } catch (err) {
    await file?.abandon();
    throw err;
  }
}

function tokenRuleOptions(cmd: Command, forEdit: boolean): Command {
  const clear = forEdit ? " ('' clears)" : '';
  return cmd
    .option('--description <text>', 'what the token is for')
    .option('--role <role>', `a role id or name${forEdit ? " ('none' removes it)" : ''}`)
    .option('--scope <permission>', `extra permission, repeatable or comma-separated, e.g. tokens:read${clear}`, collect)
    .option('--allow-ip <ip|cidr>', `only from these addresses (repeatable)${clear}`, collect)
    .option('--block-ip <ip|cidr>', `never from these addresses (repeatable)${clear}`, collect)
    .option('--allow-endpoint <rule>', `only these endpoints, e.g. "GET /api/v1/tokens/**" (repeatable)${clear}`, collect)
    .option('--block-endpoint <rule>', `never these endpoints (repeatable)${clear}`, collect)
    .option('--allow-origin <origin>', `only from these browser origins, e.g. https://*.example.com (repeatable)${clear}`, collect)
    .option('--valid-from <when>', `not before this date (2027-01-31, date-time, or a duration from now)${forEdit ? "; 'none' removes it" : ''}`)
    .option('--expires <when>', `expiry: a duration (30d, 12h, 1y), a date, or 'never'${forEdit ? '' : ' (default: 1y, as the console)'}`);
}

export function registerTokens(program: Command, action: Action): void {
  const tokens = program.command('tokens').description('list, show, create, edit, revoke, regenerate and delete API tokens');

  tokens
    .command('list')
    .alias('ls')
    .description('list tokens (newest first); --all fetches every page')
    .option('-q, --query <words>', 'name keywords (every word must occur)')
    .addOption(new Option('--status <status>', 'only tokens in this status').choices([...TOKEN_STATUSES]))
    .option('--scope <permission>', 'only tokens whose permissions grant this, e.g. tokens:read')
    .option('--guid <id>', 'the token id, or its beginning')
    .addOption(new Option('--sort <order>', 'sort order').choices([...TOKEN_SORTS]))
    .option('--page <n>', 'page number', (v) => positive('--page', v))
    .option('--page-size <n>', 'tokens per page (at most 100)', (v) => positive('--page-size', v))
    .option('--all', 'every page, not just one')
    .action(
      action((cmd) => async (ctx) => {
        const o = cmd.opts<{ query?: string; status?: TokenStatus; scope?: string; guid?: string; sort?: TokenListParams['sort']; page?: number; pageSize?: number; all?: boolean }>();
        const client = await ctx.client();
        const params: TokenListParams = {};
        if (o.query !== undefined) params.q = o.query;
        if (o.status !== undefined) params.status = o.status;
        if (o.scope !== undefined) params.scope = o.scope;
        if (o.guid !== undefined) params.guid = o.guid;
        if (o.sort !== undefined) params.sort = o.sort;
        if (o.pageSize !== undefined) params.pageSize = o.pageSize;
        if (o.all) {
          const items: TokenDto[] = [];
          for await (const t of client.tokens.all(params)) items.push(t);
          if (ctx.out.json) ctx.out.printJson({ items, total: items.length });
          else printTokens(ctx.out, items);
          return;
        }
        if (o.page !== undefined) params.page = o.page;
        const page = await client.tokens.list(params);
        if (ctx.out.json) return ctx.out.printJson(page);
        printTokens(ctx.out, page.items);
        const shown = (page.page - 1) * page.pageSize + page.items.length;
        if (ctx.out.tty && shown < page.total) {
          ctx.out.note(ctx.out.errColor.dim(`${page.items.length} of ${page.total} shown (page ${page.page}); --page ${page.page + 1} or --all for more`));
        }
      }),
    );

  tokens
    .command('show <token>')
    .alias('view')
    .description('one token, by id or exact name')
    .action(
      action((cmd) => async (ctx) => {
        const token = await findToken(await ctx.client(), String(cmd.args[0]));
        if (ctx.out.json) ctx.out.printJson(token);
        else printToken(ctx.out, token);
      }),
    );

  tokenRuleOptions(
    tokens
      .command('create')
      .description('create a token; its secret is printed once (stdout), or written to --out FILE (mode 0600) and not printed')
      .option('--name <name>', 'unique name in the organization (required)'),
    false,
  )
    .option('--out <file>', 'write the secret to this new file (mode 0600) instead of printing it')
    .action(
      action((cmd) => async (ctx) => {
        const o = cmd.opts<TokenFlags & { out?: string }>();
        const client = await ctx.client();
        const body = await createBody(client, o, new Date());
        await withSecretFile(o.out, async (file) => deliverSecret(ctx, await client.tokens.create(body), file, 'Created'));
      }),
    );

  tokenRuleOptions(
    tokens
      .command('edit <token>')
      .description('change name, description, role, scopes, rules or dates (never the secret); list flags replace the whole list')
      .option('--name <name>', 'new name'),
    true,
  ).action(
    action((cmd) => async (ctx) => {
      const client = await ctx.client();
      const current = await findToken(client, String(cmd.args[0]));
      const body = await updateBody(client, cmd.opts<TokenFlags>(), new Date());
      // If-Match: an edit made by someone else since we read the token is not overwritten (412).
      const token = await client.tokens.update(current.id, body, { ifMatch: current.version });
      if (ctx.out.json) return ctx.out.printJson(token);
      ctx.out.note(`${ctx.out.errColor.green('✓')} Edited token ${JSON.stringify(token.name)} (${token.id})`);
    }),
  );

  const lifecycle = (name: string, description: string, verb: string, question: ((t: TokenDto) => string) | null, call: (c: TesseraClient, id: string) => Promise<TokenDto>) => {
    const cmd = tokens.command(`${name} <token>`).description(description);
    if (question) cmd.option('-y, --yes', 'do not ask for confirmation');
    cmd.action(
      action((c) => async (ctx) => {
        const client = await ctx.client();
        const current = await findToken(client, String(c.args[0]));
        if (question) await confirm(ctx.io, question(current), c.opts<{ yes?: boolean }>().yes === true);
        const token = await call(client, current.id);
        if (ctx.out.json) return ctx.out.printJson(token);
        ctx.out.note(`${ctx.out.errColor.green('✓')} ${verb} token ${JSON.stringify(token.name)} (${token.id})`);
      }),
    );
  };
  lifecycle('revoke', 'revoke a token for good (it stops working at once)', 'Revoked', (t) => `Revoke token ${JSON.stringify(t.name)}? This action cannot be undone.`, (c, id) =>
    c.tokens.revoke(id),
  );
  lifecycle('deactivate', 'switch a token off (reversible with activate)', 'Deactivated', null, (c, id) => c.tokens.deactivate(id));
  lifecycle('activate', 'switch a deactivated token back on', 'Activated', null, (c, id) => c.tokens.activate(id));

  tokens
    .command('regenerate <token>')
    .description('issue a new secret (printed once, or written to --out FILE); the old one stops working (after --grace seconds)')
    .option('--grace <seconds>', 'keep the old secret working this long (0-86400)', (v) => nonNegative('--grace', v), 0)
    .option('--out <file>', 'write the new secret to this new file (mode 0600) instead of printing it')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      action((cmd) => async (ctx) => {
        const o = cmd.opts<{ grace: number; out?: string; yes?: boolean }>();
        const client = await ctx.client();
        const current = await findToken(client, String(cmd.args[0]));
        await withSecretFile(o.out, async (file) => {
          await confirm(ctx.io, `Regenerate the secret of ${JSON.stringify(current.name)}? The old secret stops working${o.grace ? ` in ${o.grace} s` : ''}. This action cannot be undone.`, o.yes === true);
          await deliverSecret(ctx, await client.tokens.regenerate(current.id, { graceSeconds: o.grace }), file, 'Regenerated');
        });
      }),
    );

  tokens
    .command('delete <token>')
    .alias('rm')
    .description('delete a token permanently')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      action((cmd) => async (ctx) => {
        const client = await ctx.client();
        const current = await findToken(client, String(cmd.args[0]));
        await confirm(ctx.io, `Delete token ${JSON.stringify(current.name)}? This action cannot be undone.`, cmd.opts<{ yes?: boolean }>().yes === true);
        await client.tokens.delete(current.id);
        if (ctx.out.json) return ctx.out.printJson({ deleted: true, id: current.id, name: current.name });
        ctx.out.note(`${ctx.out.errColor.green('✓')} Deleted token ${JSON.stringify(current.name)} (${current.id})`);
      }),
    );
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag} must be a whole number ≥ 1 (got ${JSON.stringify(value)})`, EXIT.usage);
  return n;
}

function nonNegative(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`${flag} must be a whole number ≥ 0 (got ${JSON.stringify(value)})`, EXIT.usage);
  return n;
}
