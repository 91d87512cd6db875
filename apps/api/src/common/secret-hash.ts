import { createHash } from 'node:crypto';

/** Lower-case hex SHA-256 of a token or session secret's UTF-8 bytes: the only thing stored. */
export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
