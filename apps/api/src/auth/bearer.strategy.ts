import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-http-bearer';

/**
 * passport-http-bearer parses the Authorization header (RFC 6750 §2.1): no bearer credentials
 * → fail with the realm challenge (401); a header that is not `<scheme> <credentials>` → fail(400);
 * else success with the presented secret as is. Parsing only: the guard hands the secret to
 * Credentials.bySecret and the answer to decideAccess.
 */
@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy, 'bearer') {
  constructor() {
    super({ realm: 'tessera' });
  }

  validate(secret: string): string {
    return secret;
  }
}
