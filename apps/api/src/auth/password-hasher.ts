import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import argon2 from 'argon2';
import { serviceUnavailable } from '../common/problem';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** argon2id with OWASP's baseline parameters (19 MiB, t=2, p=1). */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Thrown when every slot is busy and the queue is full: the caller answers 503 + Retry-After. */
export class HashQueueFullError extends Error {
  constructor() {
    super('Too many password hashes in progress');
  }
}

/**
 * At most `concurrency` jobs run at once; up to `queueLimit` more wait in arrival order; beyond
 * that `run` refuses at once (HashQueueFullError) instead of holding another request in memory.
 */
export class HashSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly concurrency: number,
    readonly queueLimit: number,
  ) {}

  /** Jobs running and jobs waiting now. */
  state(): { running: number; queued: number } {
    return { running: this.running, queued: this.waiting.length };
  }

  /** True when a new job would be refused. */
  full(): boolean {
    return this.running >= this.concurrency && this.waiting.length >= this.queueLimit;
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) this.running++;
    else if (this.waiting.length < this.queueLimit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else throw new HashQueueFullError();
    try {
      return await job();
    } finally {
      // Hand the slot straight to the next waiter (running stays the same), else free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/**
 * argon2id hashing and verification, never more than PASSWORD_HASH_CONCURRENCY at once (each
 * takes ~19 MiB and a core for tens of milliseconds), at most PASSWORD_HASH_QUEUE waiting; beyond
 * that, HashQueueFullError. A login flood therefore costs a bounded amount of CPU and memory.
 */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  readonly slots: HashSlots;
  private dummyHash = '';

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.slots = new HashSlots(config.passwordHashConcurrency, config.passwordHashQueue);
  }

  async onModuleInit(): Promise<void> {
    this.dummyHash = await argon2.hash('tessera-dummy-password-for-equal-time', OPTIONS);
  }

  hash(password: string): Promise<string> {
    return this.slots.run(() => argon2.hash(password, OPTIONS));
  }

  /**
   * hash() for a request that sets a password (users, organizations): a full queue answers
   * 503 + Retry-After, like a login flood does, instead of an error.
   */
  async hashForRequest(password: string): Promise<string> {
    try {
      return await this.hash(password);
    } catch (err) {
      if (err instanceof HashQueueFullError) throw serviceUnavailable('Too many password hashes in progress; try again shortly', 1);
      throw err;
    }
  }

  /** false for a wrong password or an unreadable hash; HashQueueFullError when the queue is full. */
  verify(hash: string, password: string): Promise<boolean> {
    return this.slots.run(async () => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false;
      }
    });
  }

  /** Spends the same time as a real verification, for unknown emails. Always false. */
  async verifyDummy(password: string): Promise<false> {
    await this.verify(this.dummyHash, password);
    return false;
  }
}
