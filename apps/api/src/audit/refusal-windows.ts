import ipaddr from 'ipaddr.js';
import { type AuditRow, summaryRow } from './pending-audit-rows';

/**
 * How refused authentications become audit rows under a flood (issue 16, SPEC §8 "Audit under
 * floods"). Pure: no clock, no I/O; times come from the rows, `due(now)` is called by the writer.
 *
 * Every refusal falls in a window of its key (60 s from the key's first refusal, then back to back
 * while refusals keep coming). In a window, the first `allowance` refusals are written as they come
 * (individual rows); the rest are counted into one summary row of the window (count, first and last
 * time, a few example hints, addresses and user agents), written when the window ends. Nothing is
 * dropped without being counted: the rows written for a key add up (by `count`) to its refusals.
 *
 * - Secrets that match nothing (no organization): key = (source network, action, reason), network
 *   = IPv4 /24 or IPv6 /48. Allowance 1 in a window that follows a quiet one (an admin sees an
 *   attack start at once), 0 in a window that follows a busy one (one row a minute while it lasts).
 * - Refusals tied to a credential (token, session, user): key = (action, credential), allowance 60
 *   in every window: individual rows up to 60 a minute, one count row beyond.
 *
 * Memory is bounded: at most `maxKeys` keys are tracked; a refusal whose key is not tracked when
 * the map is full counts under its overflow key (per action and reason for networks, per
 * organization for credentials; at most `maxOverflowKeys` of those), and past that under one
 * catch-all key per action and reason, which is not tied to any organization (root only).
 */
export interface WindowPolicy {
  windowMs: number;
  /** Rows written as they come in a window that follows a quiet one. */
  firstAllowance: number;
  /** Rows written as they come in a window that follows one with a summary (a flood going on). */
  continuingAllowance: number;
  /** Keys tracked at once (besides overflow keys). */
  maxKeys: number;
  /** Overflow keys tracked at once; past them the catch-all keys. */
  maxOverflowKeys: number;
}

export const SUMMARY_WINDOW_MS = 60_000;

/** Secrets that match nothing: one row per network, action and reason a minute (plus the first at once). */
export const NETWORK_POLICY: WindowPolicy = {
  windowMs: SUMMARY_WINDOW_MS,
  firstAllowance: 1,
  continuingAllowance: 0,
  maxKeys: 500,
  maxOverflowKeys: 100,
};

/** Refusals tied to a credential: individual rows up to 60 per credential a minute, then a count row. */
export const CREDENTIAL_POLICY: WindowPolicy = {
  windowMs: SUMMARY_WINDOW_MS,
  firstAllowance: 60,
  continuingAllowance: 60,
  maxKeys: 10_000,
  maxOverflowKeys: 1_000,
};

/** Example values a summary row keeps, each. */
export const MAX_EXAMPLES = 5;
const MAX_EXAMPLE_LENGTH = 200;

/** What a summary row says it summarises (`details.summary`). */
export type SummaryKind = 'network' | 'credential' | 'overflow';

/** Where a refusal is counted: its own key, then the keys to fall back on when the map is full. */
export interface Route {
  key: string;
  overflow: string;
  catchAll: string;
  kind: SummaryKind;
}

interface Window {
  start: number;
  /** Rows of this window written as they came. */
  written: number;
  /** The window follows one that had a summary (the allowance is `continuingAllowance`). */
  continuing: boolean;
  /** Refusals counted beyond the allowance (null while none). */
  summary: AuditRow | null;
  kind: SummaryKind;
  /** An overflow or catch-all key (not one of the `maxKeys`). */
  extra: boolean;
}

const DOTTED_QUAD = /^((0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2}))\.(0|[1-9]\d{0,2})$/;

/**
 * The source network of a client address: IPv4 /24 (`203.0.113.0/24`), IPv6 /48
 * (`2001:db8:1::/48`); IPv4-mapped IPv6 is its IPv4 network. null when `ip` is not an address.
 */
export function sourceNetwork(ip: string | null | undefined): string | null {
  if (!ip) return null;
  // The guard hands over normalized addresses: the common case needs no parsing.
  const quad = DOTTED_QUAD.exec(ip);
  if (quad && Number(quad[2]) <= 255 && Number(quad[3]) <= 255 && Number(quad[4]) <= 255 && Number(quad[5]) <= 255) {
    return `${quad[1]}.0/24`;
  }
  let text = ip.trim();
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  if (!ipaddr.isValid(text)) return null;
  if (!text.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(text)) return null;
  const addr = ipaddr.process(text);
  if (addr.kind() === 'ipv4') {
    const [a, b, c] = (addr as ipaddr.IPv4).octets;
    return `${a}.${b}.${c}.0/24`;
  }
  const [p0, p1, p2] = (addr as ipaddr.IPv6).parts;
  return `${new ipaddr.IPv6([p0 ?? 0, p1 ?? 0, p2 ?? 0, 0, 0, 0, 0, 0]).toString()}/48`;
}

/** A refusal that no organization can be tied to (unknown or malformed secret, token in the query …). */
export function isAnonymous(row: AuditRow): boolean {
  return !row.organizationId;
}

/** The route of a refusal tied to nothing: its network, action and reason. */
export function networkRoute(row: AuditRow): Route {
  const kind = `${row.action ?? ''}|${row.reason ?? ''}`;
  return {
    key: `${sourceNetwork(row.ip) ?? 'not-an-address'}|${kind}`,
    overflow: `*|${kind}`,
    catchAll: `*|${kind}`,
    kind: 'network',
  };
}

/** The route of a refusal tied to a credential: the credential (or the actor, or the organization). */
export function credentialRoute(row: AuditRow): Route {
  const action = row.action ?? '';
  const who = row.targetId ? `${row.targetType ?? ''}:${row.targetId}` : row.actorId ? `actor:${row.actorId}` : `org:${row.organizationId}`;
  return {
    key: `${action}|${who}`,
    overflow: `${action}|org:${row.organizationId}`,
    catchAll: `${action}|*`,
    kind: 'credential',
  };
}

/** Windows of one policy. `admit` on every refusal, `due` every flush, `drain` at shutdown. */
export class RefusalWindows {
  private readonly windows = new Map<string, Window>();
  /** Windows of overflow and catch-all keys among them. */
  private extra = 0;
  private ready: AuditRow[] = [];

  constructor(
    private readonly policy: WindowPolicy,
    private readonly route: (row: AuditRow) => Route,
  ) {}

  /** Keys tracked: at most maxKeys + maxOverflowKeys + one catch-all per (action, reason). */
  get size(): number {
    return this.windows.size;
  }

  /** The row to write now (`row` itself), or null when it was counted into its window's summary. */
  admit(row: AuditRow): AuditRow | null {
    const t = row.at.getTime();
    const route = this.route(row);
    const window = this.current(route.key, t) ?? this.open(route, t);
    const allowance = window.continuing ? this.policy.continuingAllowance : this.policy.firstAllowance;
    if (window.written < allowance) {
      window.written++;
      return row;
    }
    if (window.summary) fold(window.summary, row);
    else window.summary = summaryOf(row, window.kind);
    return null;
  }

  /** Summary rows of the windows that ended by `now` (and of any that a later refusal closed). */
  due(now: Date): AuditRow[] {
    const t = now.getTime();
    for (const [key, window] of this.windows) {
      if (t >= window.start + this.policy.windowMs) this.close(key, window, t);
    }
    const rows = this.ready;
    this.ready = [];
    return rows;
  }

  /** Every summary not written yet, and nothing tracked any more (shutdown). */
  drain(): AuditRow[] {
    const rows = this.ready;
    for (const window of this.windows.values()) if (window.summary) rows.push(window.summary);
    this.ready = [];
    this.windows.clear();
    this.extra = 0;
    return rows;
  }

  /** A new window for a refusal whose key has none: its own key while there is room, else overflow. */
  private open(route: Route, t: number): Window {
    let key = route.key;
    let kind = route.kind;
    let extra = false;
    if (this.windows.size - this.extra >= this.policy.maxKeys) {
      extra = true;
      const overflow = this.current(route.overflow, t);
      if (overflow) return overflow;
      if (this.extra < this.policy.maxOverflowKeys) key = route.overflow;
      else {
        const catchAll = this.current(route.catchAll, t);
        if (catchAll) return catchAll;
        key = route.catchAll;
      }
      // Past its own key a network refusal is counted with others; a credential one keeps its
      // organization under its overflow key, and nothing under the catch-all.
      kind = kind === 'credential' && key === route.overflow ? 'credential' : 'overflow';
    }
    const window: Window = { start: t, written: 0, continuing: false, summary: null, kind, extra };
    this.windows.set(key, window);
    if (extra) this.extra++;
    return window;
  }

  /** The open window of `key` at `t`, closing the one that ended before `t`. */
  private current(key: string, t: number): Window | undefined {
    const window = this.windows.get(key);
    if (window && t >= window.start + this.policy.windowMs) return this.close(key, window, t);
    return window;
  }

  /**
   * Ends `window`: its summary is ready to be written. A window with a summary (more refusals than
   * its allowance) is followed by a continuing one while `t` is within it; otherwise the key is
   * forgotten and its next refusal starts a new window (with the first allowance).
   */
  private close(key: string, window: Window, t: number): Window | undefined {
    const next = window.start + this.policy.windowMs;
    if (window.summary) this.ready.push(window.summary);
    if (window.summary && t < next + this.policy.windowMs) {
      const following: Window = { ...window, start: next, written: 0, continuing: true, summary: null };
      this.windows.set(key, following);
      return following;
    }
    this.windows.delete(key);
    if (window.extra) this.extra--;
    return undefined;
  }
}

function summaryOf(row: AuditRow, kind: SummaryKind): AuditRow {
  const anonymous = kind !== 'credential';
  const network = sourceNetwork(row.ip);
  const details: Record<string, unknown> = { summary: kind, reasons: { [row.reason ?? '']: row.count } };
  if (kind === 'network' && network) details['network'] = network;
  if (kind === 'overflow') details['networks'] = examples([], network);
  details['hints'] = examples([], row.details?.['hint']);
  details['ips'] = examples([], row.ip);
  details['userAgents'] = examples([], row.userAgent);
  return summaryRow(row, anonymous, kind === 'network' ? network : (row.ip ?? null), details);
}

function fold(summary: AuditRow, row: AuditRow): void {
  summary.count += row.count;
  const last = row.lastAt ?? row.at;
  if (!summary.lastAt || last > summary.lastAt) summary.lastAt = last;
  if (row.at < summary.at) summary.at = row.at;
  const details = summary.details as Record<string, unknown>;
  if (details['network'] === undefined && summary.ip !== row.ip) summary.ip = null;
  if (summary.actorId !== row.actorId) {
    summary.actorKind = null;
    summary.actorId = null;
    summary.actorName = null;
  }
  if (summary.targetId !== row.targetId) {
    summary.targetType = null;
    summary.targetId = null;
    summary.targetName = null;
  }
  const reasons = details['reasons'] as Record<string, number>;
  const reason = row.reason ?? '';
  reasons[reason] = (reasons[reason] ?? 0) + row.count;
  if (summary.reason !== row.reason) summary.reason = null;
  examples(details['hints'] as string[], row.details?.['hint']);
  examples(details['ips'] as string[], row.ip);
  examples(details['userAgents'] as string[], row.userAgent);
  if (Array.isArray(details['networks'])) examples(details['networks'] as string[], sourceNetwork(row.ip));
}

/** Adds `value` to `list` when it is a new string and the list has room; returns the list. */
function examples(list: string[], value: unknown): string[] {
  if (typeof value === 'string' && value !== '' && list.length < MAX_EXAMPLES) {
    const text = value.slice(0, MAX_EXAMPLE_LENGTH);
    if (!list.includes(text)) list.push(text);
  }
  return list;
}
