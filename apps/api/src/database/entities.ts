import { AuditEvent } from '../audit/audit-event.entity';
import { Session } from '../auth/session.entity';
import { Organization } from '../organizations/organization.entity';
import { Role } from '../roles/role.entity';
import { OrgIpAllowlistEntry } from '../security/ip-allowlist-entry.entity';
import { Token } from '../tokens/token.entity';
import { User } from '../users/user.entity';

/** Every entity of the schema. Register them here (the data source uses this list). */
export const ENTITIES = [Organization, User, Session, Role, Token, AuditEvent, OrgIpAllowlistEntry];
