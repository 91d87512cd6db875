import { createHash } from 'node:crypto';
import { type Credential, TesseraClient } from '@tessera/client';
import { canonicalRequestTarget, type IntrospectionDto, permissionGrants } from '@tessera/domain';
import { ChangeSubscription, type ChangeSubscriptionOptions } from './change-subscription.js';
import { type CachedDecision, DecisionCache, type DecisionCacheOptions } from './decision-cache.js';

/** The request a token was presented with, as the protected service saw it. */
export interface PresentedRequest {
  method: string;
  /** The request target as on the request line (a query string is ignored). */
  path: string;
  /** The client address (see `clientIp` of the module options). */
  ip: string;
  origin: string | null;
}

/** The guard's answer: a cached or fresh decision, or Tessera could not be asked (503). */
export type Verdict = CachedDecision | { kind: 'unavailable'; message: string };

export interface TesseraVerifierOptions {
  url: string;
  /** A Tessera token holding `tokens:introspect` and `changes:read` (a string, or a function answering one). */
  credential: Credential;
  fetch?: typeof globalThis.fetch;
  cache?: DecisionCacheOptions;
  /** The change stream's timing (heartbeat, trust window, backoff). */
  stream?: Omit<ChangeSubscriptionOptions, 'url' | 'credential' | 'fetch'>;
  /** Reports the stream's troubles (default: nowhere). */
  log?: (message: string) => void;
}

export interface VerifierStats {
  hits: number;
  introspections: number;
  live: boolean;
  size: number;
}

/**
 * Asks Tessera (POST /introspect with the request described) whether a presented token may make a
 * request, and keeps the answers in a DecisionCache for as long as Tessera's change stream is open
 * and heard from; the stream's events drop exactly what they touch. While the stream is not live
 * the cache is empty and every request asks Tessera.
 */
export class TesseraVerifier {
  readonly cache: DecisionCache;
  readonly subscription: ChangeSubscription;
  private readonly client: TesseraClient;
  private readonly inflight = new Map<string, { mark: number; promise: Promise<Verdict> }>();
  private hits = 0;
  private introspections = 0;

  constructor(options: TesseraVerifierOptions) {
    this.client = new TesseraClient({ url: options.url, credential: options.credential, ...(options.fetch ? { fetch: options.fetch } : {}) });
    this.cache = new DecisionCache(options.cache);
    const log = options.log ?? (() => undefined);
    this.subscription = new ChangeSubscription(
      { url: options.url, credential: options.credential, ...(options.fetch ? { fetch: options.fetch } : {}), ...options.stream },
      {
        change: (change) => this.cache.apply(change),
        reset: () => this.cache.clear(),
        problem: log,
      },
    );
  }

  start(): void {
    this.subscription.start();
  }

  async stop(): Promise<void> {
    await this.subscription.stop();
    this.cache.clear();
  }

  stats(): VerifierStats {
    return { hits: this.hits, introspections: this.introspections, live: this.subscription.isLive, size: this.cache.size };
  }

  /** `secret` must be well formed (the guard checks its format and checksum first). */
  async verify(secret: string, request: PresentedRequest, permission: string | null): Promise<Verdict> {
    const target = canonicalRequestTarget(request.method, request.path);
    const key = target
      ? [createHash('sha256').update(secret).digest('hex'), target.method, target.path, request.ip, request.origin ?? '', permission ?? ''].join('\n')
      : null;
    const live = this.subscription.isLive;
    if (!live && this.cache.size > 0) this.cache.clear();
    if (key && live) {
      const cached = this.cache.get(key);
      if (cached) {
        this.hits++;
        return cached;
      }
    }
    const mark = this.cache.mark();
    if (key) {
      const pending = this.inflight.get(key);
      if (pending && pending.mark === mark) return pending.promise;
    }
    const promise = this.ask(secret, request, permission).then((verdict) => {
      // Stored only if the stream was live throughout and nothing was dropped meanwhile.
      if (key && live && verdict.kind !== 'unavailable' && this.subscription.isLive) this.cache.set(key, verdict, mark);
      return verdict;
    });
    if (key) {
      const entry = { mark, promise };
      this.inflight.set(key, entry);
      const forget = (): void => {
        if (this.inflight.get(key) === entry) this.inflight.delete(key);
      };
      promise.then(forget, forget);
    }
    return promise;
  }

  private async ask(secret: string, request: PresentedRequest, permission: string | null): Promise<Verdict> {
    this.introspections++;
    let answer: IntrospectionDto;
    try {
      answer = await this.client.introspect(secret, {
        request: {
          method: request.method,
          path: request.path,
          ip: request.ip,
          ...(request.origin !== null ? { origin: request.origin } : {}),
          ...(permission !== null ? { permission } : {}),
        },
      });
    } catch (err) {
      return { kind: 'unavailable', message: (err as Error).message };
    }
    return verdictOf(answer, permission);
  }
}

/** Tessera's introspection answer → the guard's decision. */
export function verdictOf(answer: IntrospectionDto, permission: string | null): CachedDecision {
  if (!answer.active || !answer.sub) return { kind: 'inactive' };
  const permissions = answer.scope ? answer.scope.split(' ').filter(Boolean) : [];
  // An older Tessera answers without a decision: the permission is then checked here.
  const decision =
    answer.decision ??
    (permission === null || permissionGrants(permissions, permission)
      ? { allowed: true as const }
      : {
          allowed: false as const,
          status: 403 as const,
          error: 'insufficient_scope' as const,
          reason: 'missing_permission' as const,
          scope: permission,
          message: `The token lacks the permission "${permission}"`,
        });
  if (!decision.allowed) {
    if (decision.status === 401) return { kind: 'inactive' };
    return {
      kind: 'denied',
      tokenId: answer.sub,
      status: decision.status,
      error: decision.error,
      ...(decision.scope === undefined ? {} : { scope: decision.scope }),
      message: decision.message,
    };
  }
  return {
    kind: 'allowed',
    token: {
      id: answer.sub,
      name: answer.username ?? '',
      organizationId: answer.org ?? '',
      permissions,
      expiresAt: answer.exp === undefined ? null : answer.exp * 1000,
    },
  };
}
