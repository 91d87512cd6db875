import type { CreateTokenInput } from '@tessera/domain';

let counter = 0;

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function offset(duration: string): number {
  const match = /^(-?\d+)([smhd])$/.exec(duration);
  if (!match) throw new Error(`bad duration ${duration} (e.g. 1h, 30d)`);
  return Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1_000);
}

/**
 * Test data builder for POST /tokens bodies:
 * `aToken().named('ci').withScopes('tokens:read').expiringIn('1h', now).build()`.
 */
export class TokenBuilder {
  private body: CreateTokenInput = { name: `token ${++counter} ${Math.random().toString(36).slice(2, 8)}`, scopes: ['tokens:read'] };

  named(name: string): this {
    this.body.name = name;
    return this;
  }

  describedAs(description: string): this {
    this.body.description = description;
    return this;
  }

  withRole(roleId: string): this {
    this.body.roleId = roleId;
    delete this.body.scopes;
    return this;
  }

  withScopes(...scopes: string[]): this {
    this.body.scopes = scopes;
    return this;
  }

  allowingIps(...rules: string[]): this {
    this.body.allowedIps = rules;
    return this;
  }

  blockingIps(...rules: string[]): this {
    this.body.blockedIps = rules;
    return this;
  }

  allowingEndpoints(...rules: string[]): this {
    this.body.allowedEndpoints = rules;
    return this;
  }

  blockingEndpoints(...rules: string[]): this {
    this.body.blockedEndpoints = rules;
    return this;
  }

  allowingOrigins(...rules: string[]): this {
    this.body.allowedOrigins = rules;
    return this;
  }

  validFrom(date: Date): this {
    this.body.validFrom = date.toISOString();
    return this;
  }

  expiringAt(date: Date): this {
    this.body.validTo = date.toISOString();
    return this;
  }

  expiringIn(duration: string, now = new Date()): this {
    return this.expiringAt(new Date(now.getTime() + offset(duration)));
  }

  startingIn(duration: string, now = new Date()): this {
    return this.validFrom(new Date(now.getTime() + offset(duration)));
  }

  build(): CreateTokenInput {
    return structuredClone(this.body);
  }
}

export const aToken = (): TokenBuilder => new TokenBuilder();
