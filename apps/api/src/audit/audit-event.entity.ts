import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Append-only: a database trigger refuses UPDATE, DELETE and TRUNCATE.
 * `organizationId` is null for refused authentications that could not be tied to an organization
 * (unknown or malformed secrets); those are visible to the first (root) organization.
 */
@Entity({ name: 'audit_events' })
export class AuditEvent {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Insertion order, for a stable sort among events with the same `at`. */
  @Column({ type: 'bigint', insert: false, update: false, select: false })
  seq!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'uuid', name: 'organization_id', nullable: true })
  organizationId!: string | null;

  /** 'cli': an operator command (actor_id null, actor_name 'cli'). */
  @Column({ type: 'text', name: 'actor_kind', nullable: true })
  actorKind!: 'user' | 'token' | 'cli' | null;

  @Column({ type: 'uuid', name: 'actor_id', nullable: true })
  actorId!: string | null;

  @Column({ type: 'text', name: 'actor_name', nullable: true })
  actorName!: string | null;

  /** Dotted verb, e.g. 'token.create', 'auth.login', 'auth.denied'. */
  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text', name: 'target_type', nullable: true })
  targetType!: string | null;

  @Column({ type: 'text', name: 'target_id', nullable: true })
  targetId!: string | null;

  @Column({ type: 'text', name: 'target_name', nullable: true })
  targetName!: string | null;

  @Column({ type: 'text', nullable: true })
  ip!: string | null;

  @Column({ type: 'text', name: 'user_agent', nullable: true })
  userAgent!: string | null;

  @Column({ type: 'text' })
  outcome!: 'success' | 'failure';

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  details!: Record<string, unknown>;

  /** How many events this row stands for (more than 1 for summarised refusals), from `at` to `lastAt`. */
  @Column({ type: 'integer', default: 1 })
  count!: number;

  /** The last of the `count` events (null when count is 1). */
  @Column({ type: 'timestamptz', name: 'last_at', nullable: true })
  lastAt!: Date | null;
}
