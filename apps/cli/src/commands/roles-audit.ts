import type { Command } from 'commander';
import { Option } from 'commander';
import type { AuditEventDto, AuditListParams } from '@tessera/client';
import { AUDIT_OUTCOMES } from '@tessera/domain';
import type { Context } from '../context';
import { CliError, EXIT } from '../exit-codes';
import type { Output } from '../output';

type Run = (ctx: Context) => Promise<void>;
type Action = (make: (cmd: Command) => Run) => (...args: unknown[]) => Promise<void>;

export function registerRoles(program: Command, action: Action): void {
  const roles = program.command('roles').description("the organization's roles");
  roles
    .command('list')
    .alias('ls')
    .description('every role with its permissions')
    .action(
      action(() => async (ctx) => {
        const list = await (await ctx.client()).roles.list();
        if (ctx.out.json) return ctx.out.printJson(list);
        ctx.out.table(list, [
          { header: 'NAME', value: (r) => r.name, max: 40 },
          { header: 'ID', value: (r) => r.id },
          { header: 'BUILT-IN', value: (r) => (r.builtIn ? 'yes' : 'no') },
          { header: 'PERMISSIONS', value: (r) => r.permissions.join(', '), max: 80 },
        ]);
      }),
    );
}

/** How far back a poll looks again for rows written late (batched refusals are flushed within ~1 s). */
const OVERLAP_MS = 60_000;

function actorName(e: AuditEventDto): string {
  if (!e.actor) return '-';
  return e.actor.kind === 'cli' ? `cli:${e.actor.name}` : `${e.actor.kind}:${e.actor.name}`;
}

function printEvent(out: Output, e: AuditEventDto): void {
  if (out.json) {
    // one JSON object per line (NDJSON), whatever the terminal: `| jq` follows along
    out.io.stdout.write(`${JSON.stringify(e)}\n`);
    return;
  }
  const c = out.color;
  const outcome = e.outcome === 'success' ? c.green('success') : c.red('failure');
  const target = e.targetName ?? e.targetId ?? '';
  const count = e.count > 1 ? c.dim(` ×${e.count}`) : '';
  const reason = e.reason ? c.dim(` (${e.reason})`) : '';
  out.line(`${c.dim(e.at)}  ${outcome}  ${c.bold(e.action)}  ${actorName(e)}${target ? ` → ${target}` : ''}  ${c.dim(e.ip ?? '')}${reason}${count}`);
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

export function registerAudit(program: Command, action: Action): void {
  const audit = program.command('audit').description('the audit log');
  audit
    .command('tail')
    .description('the last events, oldest first; --follow keeps printing new ones (Ctrl-C stops)')
    .option('-n, --lines <n>', 'how many recent events to show first (at most 100)', (v) => count('--lines', v, 0, 100), 20)
    .option('-f, --follow', 'keep polling for new events')
    .option('--interval <seconds>', 'seconds between polls with --follow', (v) => seconds('--interval', v), 2)
    .option('--action <action>', 'only this action, e.g. token.revoke')
    .option('--actor <actor>', 'only this actor (name or id)')
    .option('--target <target>', 'only this target (name or id)')
    .addOption(new Option('--outcome <outcome>', 'only successes or failures').choices([...AUDIT_OUTCOMES]))
    .action(
      action((cmd) => async (ctx) => {
        const o = cmd.opts<{ lines: number; follow?: boolean; interval: number; action?: string; actor?: string; target?: string; outcome?: AuditListParams['outcome'] }>();
        const client = await ctx.client();
        const filters: AuditListParams = {};
        if (o.action !== undefined) filters.action = o.action;
        if (o.actor !== undefined) filters.actor = o.actor;
        if (o.target !== undefined) filters.target = o.target;
        if (o.outcome !== undefined) filters.outcome = o.outcome;

        const seen = new Map<string, number>();
        let newest = 0;
        const show = (events: AuditEventDto[]) => {
          for (const e of [...events].reverse()) {
            if (seen.has(e.id)) continue;
            const at = Date.parse(e.at);
            seen.set(e.id, at);
            newest = Math.max(newest, at);
            printEvent(ctx.out, e);
          }
        };

        const first = o.lines > 0 ? await client.audit.list({ ...filters, pageSize: o.lines }) : { items: [] };
        show(first.items);
        if (!o.follow) return;

        // Every poll reads the last minute again (refused authentications are written in batches,
        // after the fact, with the time they happened) and prints the rows it has not seen. What
        // was there before following began is marked seen without printing: -n chose how much of
        // the past to show.
        const signal = ctx.io.signal;
        const wait = ctx.io.sleep ?? sleep;
        const recent = async (): Promise<AuditEventDto[]> => {
          const from = new Date(Math.max(newest, Date.now()) - OVERLAP_MS).toISOString();
          const rows: AuditEventDto[] = [];
          for (let page = 1; page <= 50; page++) {
            const answer = await client.audit.list({ ...filters, from, page, pageSize: 100 }, signal ? { signal } : {});
            rows.push(...answer.items);
            if (answer.items.length < 100) break;
          }
          return rows;
        };
        for (const e of await recent()) seen.set(e.id, Date.parse(e.at));
        while (!signal?.aborted) {
          await wait(o.interval * 1000, signal);
          if (signal?.aborted) break;
          let fresh: AuditEventDto[];
          try {
            fresh = await recent();
          } catch (err) {
            if (signal?.aborted) break;
            throw err;
          }
          show(fresh);
          const horizon = Math.max(newest, Date.now()) - 2 * OVERLAP_MS;
          for (const [id, at] of seen) if (at < horizon) seen.delete(id);
        }
      }),
    );
}

function count(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${flag} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`, EXIT.usage);
  return n;
}

function seconds(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.05 || n > 3600) throw new CliError(`${flag} must be a number of seconds from 0.05 to 3600 (got ${JSON.stringify(value)})`, EXIT.usage);
  return n;
}
