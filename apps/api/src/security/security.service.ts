import { Inject, Injectable, Logger } from '@nestjs/common';
import { createIpMatcher, normalizeIpRule } from '@tessera/domain';
import type { FieldError, IpAllowlistDto, IpAllowlistInput } from '@tessera/domain';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ChangeNotifier } from '../credentials/change-notifier';
import { CLOCK } from '../common/clock';
import type { Clock } from '../common/clock';
import { actorOf } from '../common/principal';
import type { Principal } from '../common/principal';
import { badRequest, conflict } from '../common/problem';
import { OrgIpAllowlistEntry } from './ip-allowlist-entry.entity';

/**
 * The organization's IP allowlist: when not empty, every token and session of the organization
 * must call from one of these addresses (on top of a token's own rules).
 */
@Injectable()
export class SecurityService {
  private readonly logger = new Logger(SecurityService.name);

  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly changes: ChangeNotifier,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async getAllowlist(who: Principal): Promise<IpAllowlistDto> {
    const entries = await this.db.getRepository(OrgIpAllowlistEntry).find({
      where: { organizationId: who.organizationId },
      order: { createdAt: 'ASC', cidr: 'ASC' },
    });
    return { entries: entries.map((e) => ({ cidr: e.cidr, note: e.note })), callerIp: who.ip };
  }

  /** Replaces the whole list. Refuses (409) a list that would shut out the caller, unless `force`. */
  async putAllowlist(who: Principal, input: IpAllowlistInput): Promise<IpAllowlistDto> {
    const entries: { cidr: string; note: string }[] = [];
    const errors: FieldError[] = [];
    const seen = new Map<string, number>();
    input.entries.forEach((entry, i) => {
      const cidr = normalizeIpRule(entry.cidr);
      const first = seen.get(cidr);
      if (first !== undefined) {
        errors.push({ field: `entries.${i}.cidr`, message: `${cidr} is already listed (entries.${first})` });
        return;
      }
      seen.set(cidr, i);
      entries.push({ cidr, note: (entry.note ?? '').trim() });
    });
    if (errors.length > 0) throw badRequest('The allowlist lists an address range twice', errors);

    const callerAllowed = entries.length === 0 || createIpMatcher(entries.map((e) => e.cidr)).matches(who.ip);
    if (!callerAllowed && input.force !== true) {
      throw conflict(
        `This list does not include your own address ${who.ip}: saving it would shut you out. ` +
          'Add your address, or send force: true to save it anyway.',
        [{ field: 'entries', message: `does not include your address ${who.ip}` }],
      );
    }

    await this.db.transaction(async (m) => {
      const repo = m.getRepository(OrgIpAllowlistEntry);
      const before = await repo.find({ where: { organizationId: who.organizationId }, lock: { mode: 'pessimistic_write' } });
      const now = this.clock.now();
      await repo.delete({ organizationId: who.organizationId });
      if (entries.length > 0) {
        // Keep the order of the request: created_at increases by a millisecond per entry.
        await repo.insert(
          entries.map((e, i) => ({ organizationId: who.organizationId, cidr: e.cidr, note: e.note, createdAt: new Date(now.getTime() + i) })),
        );
      }
      const beforeSet = new Set(before.map((e) => e.cidr));
      const afterSet = new Set(entries.map((e) => e.cidr));
      await this.audit.record(
        {
          organizationId: who.organizationId,
          actor: actorOf(who),
          action: 'security.ip_allowlist.update',
          targetType: 'organization',
          targetId: who.organizationId,
          targetName: 'IP allowlist',
          ip: who.ip,
          userAgent: who.userAgent,
          outcome: 'success',
          details: {
            entries: entries.map((e) => e.cidr),
            added: [...afterSet].filter((c) => !beforeSet.has(c)),
            removed: [...beforeSet].filter((c) => !afterSet.has(c)),
            ...(callerAllowed ? {} : { forced: true, callerIp: who.ip }),
          },
        },
        m,
      );
      await this.changes.notify(m, { kind: 'org', id: who.organizationId, org: who.organizationId });
    });
    this.logger.log(`security.ip_allowlist.update ${who.organizationId} (${entries.length} entries) by ${who.kind} ${who.id}`);
    return this.getAllowlist(who);
  }
}
