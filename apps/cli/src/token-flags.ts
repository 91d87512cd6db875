import type { CreateTokenBody, RoleDto, TesseraClient, UpdateTokenBody } from '@tessera/client';
import { CliError, EXIT } from './exit-codes';

/** The flags `tokens create` and `tokens edit` share (commander's camel-cased names). */
export interface TokenFlags {
  name?: string;
  description?: string;
  role?: string;
  scope?: string[];
  allowIp?: string[];
  blockIp?: string[];
  allowEndpoint?: string[];
  blockEndpoint?: string[];
  allowOrigin?: string[];
  validFrom?: string;
  expires?: string;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Repeatable list flag: `--scope a --scope b` or `--scope a,b`. An empty value (`--allow-ip ''`)
 * stands for "the empty list" (on edit: clear it). Endpoint rules contain a space, never a comma.
 */
export function collect(value: string, previous: string[] | undefined): string[] {
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return [...(previous ?? []), ...parts];
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 7 * 86400, y: 365 * 86400 };

/**
 * `never` → null; a duration from now (`30d`, `12h`, `1y`; units s m h d w y); a date (`2027-01-31`,
 * midnight UTC) or an ISO 8601 date-time with offset. Anything else is a usage error naming the flag.
 */
export function parseWhen(flag: string, value: string, now: Date, allowNever: boolean): string | null {
  const v = value.trim();
  if (allowNever && v.toLowerCase() === 'never') return null;
  if (v.toLowerCase() === 'now') return now.toISOString();
  const duration = /^(\d+)\s*([smhdwy])$/i.exec(v);
  if (duration) {
    const seconds = Number(duration[1]) * (UNIT_SECONDS[(duration[2] ?? '').toLowerCase()] ?? 0);
    return new Date(now.getTime() + seconds * 1000).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const t = Date.parse(`${v}T00:00:00Z`);
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T.+(Z|[+-]\d{2}:?\d{2})$/i.test(v) && !Number.isNaN(Date.parse(v))) return new Date(Date.parse(v)).toISOString();
  throw new CliError(
    `${flag} must be ${allowNever ? '"never", ' : ''}a duration (30d, 12h, 1y), a date (2027-01-31) or a date-time with offset (got ${JSON.stringify(value)})`,
    EXIT.usage,
  );
}

/** A role id, or a role name (case-insensitive) looked up in the caller's organization. */
export async function resolveRole(client: TesseraClient, ref: string): Promise<RoleDto> {
  if (UUID.test(ref)) return client.roles.get(ref);
  const roles = await client.roles.list();
  const match = roles.find((r) => r.name.toLowerCase() === ref.trim().toLowerCase());
  if (!match) throw new CliError(`No role named ${JSON.stringify(ref)} (see \`tessera roles list\`)`, EXIT.notFound);
  return match;
}

const DEFAULT_VALIDITY_DAYS = 365;

/** The body of `POST /tokens`: by default valid for a year, as the console proposes. */
export async function createBody(client: TesseraClient, f: TokenFlags, now: Date): Promise<CreateTokenBody> {
  if (!f.name) throw new CliError('--name is required', EXIT.usage);
  const body: CreateTokenBody = { name: f.name };
  if (f.description !== undefined) body.description = f.description;
  if (f.role !== undefined) body.roleId = (await resolveRole(client, f.role)).id;
  if (f.scope !== undefined) body.scopes = f.scope;
  if (f.allowIp !== undefined) body.allowedIps = f.allowIp;
  if (f.blockIp !== undefined) body.blockedIps = f.blockIp;
  if (f.allowEndpoint !== undefined) body.allowedEndpoints = f.allowEndpoint;
  if (f.blockEndpoint !== undefined) body.blockedEndpoints = f.blockEndpoint;
  if (f.allowOrigin !== undefined) body.allowedOrigins = f.allowOrigin;
  if (f.validFrom !== undefined) body.validFrom = parseWhen('--valid-from', f.validFrom, now, false);
  body.validTo =
    f.expires !== undefined ? parseWhen('--expires', f.expires, now, true) : new Date(now.getTime() + DEFAULT_VALIDITY_DAYS * 86400_000).toISOString();
  return body;
}

/** The body of `PATCH /tokens/:id`: only what a flag names; `--role none` removes the role. */
export async function updateBody(client: TesseraClient, f: TokenFlags, now: Date): Promise<UpdateTokenBody> {
  const body: UpdateTokenBody = {};
  if (f.name !== undefined) body.name = f.name;
  if (f.description !== undefined) body.description = f.description;
  if (f.role !== undefined) body.roleId = f.role.toLowerCase() === 'none' ? null : (await resolveRole(client, f.role)).id;
  if (f.scope !== undefined) body.scopes = f.scope;
  if (f.allowIp !== undefined) body.allowedIps = f.allowIp;
  if (f.blockIp !== undefined) body.blockedIps = f.blockIp;
  if (f.allowEndpoint !== undefined) body.allowedEndpoints = f.allowEndpoint;
  if (f.blockEndpoint !== undefined) body.blockedEndpoints = f.blockEndpoint;
  if (f.allowOrigin !== undefined) body.allowedOrigins = f.allowOrigin;
  if (f.validFrom !== undefined) body.validFrom = f.validFrom.toLowerCase() === 'none' ? null : parseWhen('--valid-from', f.validFrom, now, false);
  if (f.expires !== undefined) body.validTo = parseWhen('--expires', f.expires, now, true);
  if (Object.keys(body).length === 0) throw new CliError('Nothing to change: give at least one flag (see `tessera tokens edit --help`)', EXIT.usage);
  return body;
}
