import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type EntitySubscriberInterface, type QueryRunner, type TransactionCommitEvent, type TransactionRollbackEvent } from 'typeorm';

/** What can change the guard's answer. 'org' = the organization's IP allowlist (id = organization id). */
export const CHANGE_KINDS = ['token', 'role', 'user', 'session', 'org'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface Change {
  kind: ChangeKind;
  id: string;
  /**
   * The organization the token or role belongs to (for 'org' it is `id`): the change stream
   * (`GET /changes`) shows a change only to its own organization. Absent on user and session changes.
   */
  org?: string;
}

/** PostgreSQL channel every api instance LISTENs on. Payload: JSON of Change. */
export const CHANGES_CHANNEL = 'tessera_changes';

/** Called with each committed change (see `ChangeNotifier.onCommitted`). */
export type ChangeHandler = (change: Change) => void;

/**
 * Announces changes that affect authentication. Every feature service calls
 * `notify(manager, {kind, id})` inside the transaction that makes the change:
 * - `pg_notify('tessera_changes', …)` is sent in that transaction, so other instances hear it
 *   exactly when (and only if) it commits;
 * - listeners on this instance (`onCommitted`) are told right after the commit (or at once when
 *   `manager` is not in a transaction), so the instance that made a change never serves the old state.
 */
@Injectable()
export class ChangeNotifier implements OnModuleInit, EntitySubscriberInterface {
  private readonly logger = new Logger(ChangeNotifier.name);
  private readonly listeners = new Set<ChangeHandler>();
  private readonly pending = new WeakMap<QueryRunner, Change[]>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  async notify(manager: EntityManager, change: Change): Promise<void> {
    await manager.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, JSON.stringify(change)]);
    const runner = manager.queryRunner;
    if (runner?.isTransactionActive) {
      const list = this.pending.get(runner) ?? [];
      list.push(change);
      this.pending.set(runner, list);
    } else {
      this.emit(change);
    }
  }

  /** Subscribe to committed changes made by this instance. Returns an unsubscribe function. */
  onCommitted(listener: ChangeHandler): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tell local listeners about a change heard from another instance (LISTEN). */
  emit(change: Change): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.logger.error(`change listener failed: ${(err as Error).message}`);
      }
    }
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const list = this.pending.get(event.queryRunner);
    if (!list) return;
    this.pending.delete(event.queryRunner);
    for (const change of list) this.emit(change);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.pending.delete(event.queryRunner);
  }
}
