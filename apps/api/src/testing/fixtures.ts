import { generateTokenSecret, tokenHint } from '@tessera/domain';
import { type Change, ChangeNotifier } from '../credentials/change-notifier';
import type { TestApp } from './test-app';
import { hashTokenSecret } from '../common/secret-hash';

export interface TokenRowFields {
  organizationId?: string;
  name?: string;
  roleId?: string | null;
  scopes?: string[];
  allowedIps?: string[];
  blockedIps?: string[];
  allowedEndpoints?: string[];
  blockedEndpoints?: string[];
  allowedOrigins?: string[];
  validFrom?: Date | null;
  validTo?: Date | null;
  active?: boolean;
  revokedAt?: Date | null;
}

let counter = 0;

/**
 * Inserts a token straight into the database (no API involved) and returns its id and secret.
 * For guard tests that must not depend on the tokens module. Default: the root org, scopes ['*:*'].
 */
export async function insertToken(t: TestApp, fields: TokenRowFields = {}): Promise<{ id: string; secret: string }> {
  const secret = generateTokenSecret();
  const rows = (await t.db.query(
    `INSERT INTO tokens (organization_id, name, role_id, scopes, allowed_ips, blocked_ips, allowed_endpoints,
                         blocked_endpoints, allowed_origins, valid_from, valid_to, active, revoked_at,
                         secret_hash, hint, created_by_kind, created_by_id, created_by_name)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'user', gen_random_uuid(), 'fixture')
     RETURNING id`,
    [
      fields.organizationId ?? t.admin.organizationId,
      fields.name ?? `fixture token ${++counter}`,
      fields.roleId ?? null,
      fields.scopes ?? ['*:*'],
      fields.allowedIps ?? [],
      fields.blockedIps ?? [],
      fields.allowedEndpoints ?? [],
      fields.blockedEndpoints ?? [],
      fields.allowedOrigins ?? [],
      fields.validFrom ?? null,
      fields.validTo ?? null,
      fields.active ?? true,
      fields.revokedAt ?? null,
      hashTokenSecret(secret),
      tokenHint(secret),
    ],
  )) as { id: string }[];
  const id = rows[0]?.id;
  if (!id) throw new Error('insertToken: no id');
  return { id, secret };
}

/**
 * Changes what the guard answers straight in the database, committed together with its change
 * notification as every service does (ChangeNotifier.notify in the same transaction), so the
 * guard's verification cache drops the old state before this returns.
 */
export async function changeInDatabase(t: TestApp, change: Change, sql: string, params: unknown[] = []): Promise<void> {
  const notifier = t.app.get(ChangeNotifier);
  await t.db.transaction(async (m) => {
    await m.query(sql, params);
    await notifier.notify(m, change);
  });
}

/** Replaces an organization's IP allowlist directly in the database (and announces the change). */
export async function setOrgAllowlist(t: TestApp, organizationId: string, cidrs: string[]): Promise<void> {
  const notifier = t.app.get(ChangeNotifier);
  await t.db.transaction(async (m) => {
    await m.query('DELETE FROM org_ip_allowlist_entries WHERE organization_id = $1', [organizationId]);
    for (const cidr of cidrs) {
      await m.query('INSERT INTO org_ip_allowlist_entries (organization_id, cidr) VALUES ($1, $2)', [organizationId, cidr]);
    }
    await notifier.notify(m, { kind: 'org', id: organizationId });
  });
}

export interface AuditRowView {
  action: string;
  outcome: string;
  reason: string | null;
  organization_id: string | null;
  actor_id: string | null;
  target_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

/** Audit rows (after t.flush()), oldest first. */
export async function auditRows(t: TestApp, where = 'true', params: unknown[] = []): Promise<AuditRowView[]> {
  return (await t.db.query(
    `SELECT action, outcome, reason, organization_id, actor_id, target_id, ip, details FROM audit_events WHERE ${where} ORDER BY seq`,
    params,
  )) as AuditRowView[];
}
