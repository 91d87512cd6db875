import { InitialSchema1764000000000 } from './1764000000000-initial-schema';
import { TokenListIndexes1764100000000 } from './1764100000000-token-list-indexes';
import { AuditEventCounts1764500000000 } from './1764500000000-audit-event-counts';
import { AuditCliActor1764600000000 } from './1764600000000-audit-cli-actor';
import { Invitations1764700000000 } from './1764700000000-invitations';
import { CliDeveloperRole1764710000000 } from './1764710000000-cli-developer-role';

/** Every migration, oldest first. Add new classes at the end. */
export const MIGRATIONS = [InitialSchema1764000000000, TokenListIndexes1764100000000, AuditEventCounts1764500000000, AuditCliActor1764600000000, Invitations1764700000000, CliDeveloperRole1764710000000];
