import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AuditEventDto, AuditQuery, Page } from '@tessera/domain';
import { DataSource } from 'typeorm';
import type { Principal } from '../common/principal';
import { AuditEvent } from './audit-event.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Reads the audit trail of the caller's organization (the root organization also sees events tied to none). */
@Injectable()
export class AuditQueryService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(who: Principal, query: AuditQuery): Promise<Page<AuditEventDto>> {
    const qb = this.dataSource.getRepository(AuditEvent).createQueryBuilder('e');
    if (who.organizationIsRoot) qb.where('(e.organization_id = :org OR e.organization_id IS NULL)', { org: who.organizationId });
    else qb.where('e.organization_id = :org', { org: who.organizationId });

    if (query.actor) {
      if (UUID.test(query.actor)) qb.andWhere('e.actor_id = :actorId', { actorId: query.actor });
      else qb.andWhere("e.actor_name ILIKE :actorName ESCAPE '\\'", { actorName: `%${escapeLike(query.actor)}%` });
    }
    if (query.action) {
      if (query.action.includes('.')) qb.andWhere('e.action = :action', { action: query.action });
      else qb.andWhere("(e.action = :action OR e.action LIKE :actionPrefix ESCAPE '\\')", {
        action: query.action,
        actionPrefix: `${escapeLike(query.action)}.%`,
      });
    }
    if (query.target) {
      qb.andWhere("(e.target_id = :target OR e.target_name ILIKE :targetName ESCAPE '\\')", {
        target: query.target,
        targetName: `%${escapeLike(query.target)}%`,
      });
    }
    if (query.outcome) qb.andWhere('e.outcome = :outcome', { outcome: query.outcome });
    if (query.from) qb.andWhere('e.at >= :from', { from: new Date(query.from) });
    if (query.to) qb.andWhere('e.at < :to', { to: new Date(query.to) });

    const page = query.page;
    const pageSize = query.pageSize;
    const [rows, total] = await qb
      .orderBy('e.at', 'DESC')
      .addOrderBy('e.seq', 'DESC')
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    return { items: rows.map(toDto), total, page, pageSize };
  }
}

function actorOf(e: AuditEvent): AuditEventDto['actor'] {
  if (e.actorKind === 'cli') return { kind: 'cli', id: null, name: e.actorName ?? 'cli' };
  return e.actorKind && e.actorId ? { kind: e.actorKind, id: e.actorId, name: e.actorName ?? '' } : null;
}

function toDto(e: AuditEvent): AuditEventDto {
  return {
    id: e.id,
    at: e.at.toISOString(),
    actor: actorOf(e),
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    targetName: e.targetName,
    ip: e.ip,
    userAgent: e.userAgent,
    outcome: e.outcome,
    reason: e.reason,
    details: e.details,
    count: e.count,
    lastAt: e.lastAt ? e.lastAt.toISOString() : null,
  };
}
