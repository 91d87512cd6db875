import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One entry of an organization's IP allowlist. An empty list allows any address. */
@Entity({ name: 'org_ip_allowlist_entries' })
export class OrgIpAllowlistEntry {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid', name: 'organization_id' })
  organizationId!: string;

  /** Canonical text from normalizeIpRule (e.g. '10.0.0.0/8'). Unique per organization. */
  @Column({ type: 'text' })
  cidr!: string;

  @Column({ type: 'text', default: '' })
  note!: string;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;
}
