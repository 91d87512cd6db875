import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Actor } from '@tessera/domain';

/**
 * An invitation to join an organization in a role. Its link carries a single-use `tsi_` secret of
 * which only the SHA-256 is stored (like tokens). Resending replaces the secret and restarts the
 * 72 hours; accepting sets `acceptedAt` (terminal); deleting removes the row. Emails are unique per
 * organization among unaccepted invitations (`uq_invitations_org_email_open`).
 */
@Entity({ name: 'invitations' })
export class Invitation {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid', name: 'organization_id' })
  organizationId!: string;

  /** Stored lower-cased and trimmed. */
  @Column({ type: 'text' })
  email!: string;

  @Column({ type: 'uuid', name: 'role_id' })
  roleId!: string;

  @Column({ type: 'text', name: 'secret_hash', select: false })
  secretHash!: string;

  @Column({ type: 'timestamptz', name: 'sent_at' })
  sentAt!: Date;

  @Column({ type: 'timestamptz', name: 'expires_at' })
  expiresAt!: Date;

  @Column({ type: 'jsonb', name: 'invited_by' })
  invitedBy!: Actor;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'accepted_at', nullable: true })
  acceptedAt!: Date | null;

  @Column({ type: 'uuid', name: 'accepted_user_id', nullable: true })
  acceptedUserId!: string | null;
}
