import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { isWellFormedTokenSecret, SESSION_PREFIX, TOKEN_PREFIX } from '@tessera/domain';
import { Strategy } from 'passport-http-bearer';
import { TokenVerifier, type VerifiedCredential } from './token-verifier';
import { hashTokenSecret } from '../common/secret-hash';

/** What passport hands the guard: the presented secret and what it resolved to. */
export interface PresentedCredential {
  /** False when the secret fails the format/checksum check (no lookup was made). */
  wellFormed: boolean;
  /** SHA-256 hex of the secret (only when well formed). Never log the secret itself. */
  hash: string | null;
  /** 'tsr_AbCd…wxYz' for well-formed secrets. */
  hint: string | null;
  credential: VerifiedCredential | null;
}

/**
 * passport-http-bearer parses the Authorization header (RFC 6750 §2.1): no bearer credentials
 * → fail with the realm challenge (401); a header that is not `<scheme> <credentials>` → fail(400).
 * A presented secret is checked for format and checksum before any lookup, then resolved by the
 * TokenVerifier. The decision itself (status, IP, origin, endpoint, permission) is the guard's.
 */
@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy, 'bearer') {
  constructor(private readonly verifier: TokenVerifier) {
    super({ realm: 'tessera' });
  }

  async validate(secret: string): Promise<PresentedCredential> {
    const wellFormed =
      isWellFormedTokenSecret(secret, TOKEN_PREFIX) || isWellFormedTokenSecret(secret, SESSION_PREFIX);
    if (!wellFormed) return { wellFormed: false, hash: null, hint: null, credential: null };
    const hash = hashTokenSecret(secret);
    const credential = await this.verifier.lookup(secret, hash);
    return { wellFormed: true, hash, hint: `${secret.slice(0, 8)}…${secret.slice(-4)}`, credential };
  }
}
