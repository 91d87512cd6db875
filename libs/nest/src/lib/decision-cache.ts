import type { ChangeEventDto } from '@tessera/domain';
import { LRUCache } from 'lru-cache';

/** What the guard answers for one (secret, request, permission), as Tessera decided it. */
export type CachedDecision =
  | { kind: 'allowed'; token: TesseraTokenInfo }
  /** A token Tessera does not report active: 401 invalid_token (a negative entry). */
  | { kind: 'inactive' }
  | { kind: 'denied'; tokenId: string; status: 401 | 403; error: 'invalid_token' | 'insufficient_scope' | null; scope?: string; message: string };

/** The caller, as introspection described it (handed to handlers by `@TesseraToken()`). */
export interface TesseraTokenInfo {
  /** The token id. */
  id: string;
  name: string;
  organizationId: string;
  /** Effective permissions. */
  permissions: string[];
  /** validTo (ms since the epoch), when it has one. */
  expiresAt: number | null;
}

export interface DecisionCacheOptions {
  /** Most entries kept (least recently used dropped first). Default 10 000. */
  max?: number;
  /** Longest an allowed or refused answer of an active token is kept (default 60 s). */
  ttlMs?: number;
  /** Longest an inactive/unknown answer is kept (default 5 s: a pending token starts by itself). */
  negativeTtlMs?: number;
  now?: () => number;
}

interface Entry {
  decision: CachedDecision;
  expiresAt: number;
}

/**
 * Tessera's answers, keyed by (SHA-256 of the secret, request, permission), with an index from
 * token id to its keys so that a change event drops exactly what it touches. `mark()` grows on
 * every drop: an answer fetched while something was dropped is not stored (it may predate it).
 */
export class DecisionCache {
  private readonly lru: LRUCache<string, Entry>;
  private readonly byToken = new Map<string, Set<string>>();
  private readonly negatives = new Set<string>();
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly now: () => number;
  private sequence = 0;

  constructor(options: DecisionCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.negativeTtlMs = options.negativeTtlMs ?? 5_000;
    this.now = options.now ?? Date.now;
    this.lru = new LRUCache<string, Entry>({
      max: options.max ?? 10_000,
      dispose: (entry, key) => this.unindex(key, entry),
    });
  }

  get size(): number {
    return this.lru.size;
  }

  mark(): number {
    return this.sequence;
  }

  get(key: string): CachedDecision | undefined {
    const entry = this.lru.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.lru.delete(key);
      return undefined;
    }
    return entry.decision;
  }

  /** Stores `decision` unless anything was dropped since `mark` was taken. */
  set(key: string, decision: CachedDecision, mark: number): void {
    if (mark !== this.sequence) return;
    const now = this.now();
    let expiresAt = now + (decision.kind === 'inactive' ? this.negativeTtlMs : this.ttlMs);
    if (decision.kind === 'allowed' && decision.token.expiresAt !== null) expiresAt = Math.min(expiresAt, decision.token.expiresAt);
    if (expiresAt <= now) return;
    this.lru.set(key, { decision, expiresAt });
    const tokenId = tokenOf(decision);
    if (tokenId === null) {
      this.negatives.add(key);
    } else {
      let keys = this.byToken.get(tokenId);
      if (!keys) this.byToken.set(tokenId, (keys = new Set()));
      keys.add(key);
    }
  }

  /**
   * A change from Tessera's stream. A token: its answers, and every negative one (it may have been
   * activated). A role or the allowlist may touch any token: everything.
   */
  apply(change: ChangeEventDto): void {
    this.sequence++;
    if (change.kind !== 'token') {
      this.lru.clear();
      return;
    }
    for (const key of [...(this.byToken.get(change.id) ?? [])]) this.lru.delete(key);
    for (const key of [...this.negatives]) this.lru.delete(key);
  }

  clear(): void {
    this.sequence++;
    this.lru.clear();
  }

  private unindex(key: string, entry: Entry): void {
    const tokenId = tokenOf(entry.decision);
    if (tokenId === null) {
      this.negatives.delete(key);
      return;
    }
    const keys = this.byToken.get(tokenId);
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) this.byToken.delete(tokenId);
  }
}

function tokenOf(decision: CachedDecision): string | null {
  if (decision.kind === 'allowed') return decision.token.id;
  if (decision.kind === 'denied') return decision.tokenId;
  return null;
}
