import type { IpMatcher } from '@tessera/domain';
import type { Change } from './change-notifier';
import type { VerifiedCredential } from './credential';
import { credentialDependencies, dependencyOf } from './credential-cache';

/**
 * AUTH_STALE_ON_OUTAGE_SECONDS: the credentials and allowlists the cache held when its change feed
 * was lost, kept aside to answer from while the database is unreachable, for at most `maxAgeMs`
 * after that moment. Changes this instance commits meanwhile still remove what they touch; changes
 * other instances commit cannot be heard (that is the documented risk of the option).
 */
export class OutageSnapshot {
  constructor(
    private readonly credentials: Map<string, VerifiedCredential>,
    private readonly allowlists: Map<string, IpMatcher>,
    private readonly takenAt: number,
    private readonly maxAgeMs: number,
  ) {}

  get size(): number {
    return this.credentials.size;
  }

  /** The credential of `hash` as cached when the feed was lost, if still within the window. */
  credential(hash: string, now: number): VerifiedCredential | undefined {
    return this.usable(now) ? this.credentials.get(hash) : undefined;
  }

  allowlist(organizationId: string, now: number): IpMatcher | undefined {
    return this.usable(now) ? this.allowlists.get(organizationId) : undefined;
  }

  invalidate(change: Change): void {
    const changed = dependencyOf(change.kind, change.id);
    for (const [hash, c] of this.credentials) if (credentialDependencies(c).includes(changed)) this.credentials.delete(hash);
    if (change.kind === 'org') this.allowlists.delete(change.id);
  }

  private usable(now: number): boolean {
    return now - this.takenAt <= this.maxAgeMs;
  }
}
