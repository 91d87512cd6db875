import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { TOKEN_PREFIX, generateTokenSecret, isTagGrant, isValidPermission, normalizeIpRule, refusalsOf, tokenHint } from '@tessera/domain';
import type {
  CreateTokenInput,
  CreatedTokenDto,
  Page,
  PrincipalChangeKind,
  RegenerateTokenInput,
  TokenDto,
  TokenListQuery,
  TokenStatus,
  UpdateTokenInput,
} from '@tessera/domain';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ChangeNotifier } from '../credentials/change-notifier';
import { CLOCK } from '../common/clock';
import type { Clock } from '../common/clock';
import { actorOf } from '../common/principal';
import type { Principal } from '../common/principal';
import { ProblemException, badRequest, conflict, isUniqueViolation } from '../common/problem';
import { Role } from '../roles/role.entity';
import { escapeLike } from './sql-like';
import { statusCondition, type StatusColumns } from './status-sql';
import { Token } from './token.entity';
import { etagOf, ifMatchAccepts, toTokenDto } from './token-mapper';
import { hashTokenSecret } from '../common/secret-hash';
import { callerRights, isSelf, tokenRights } from './caller-rights';
import { recordChange, runAuditedChange } from '../audit/audited-change';
import { assertNoRefusals } from '../common/wider-than-caller';
import { PermissionCatalog } from '../config/permission-catalog';

type TokenWithRole = Token & { role?: Role | null };

/** The rule lists of a token, as stored (IP rules in canonical form, no duplicates). */
interface RuleLists {
  allowedIps: string[];
  blockedIps: string[];
  allowedEndpoints: string[];
  blockedEndpoints: string[];
  allowedOrigins: string[];
}
const LIST_FIELDS = ['allowedIps', 'blockedIps', 'allowedEndpoints', 'blockedEndpoints', 'allowedOrigins'] as const;

/** Where the token list query keeps the status fields (for the status filter). */
const TOKEN_STATUS_COLUMNS: StatusColumns = {
  revokedAt: 't.revokedAt',
  active: 't.active',
  validFrom: 't.validFrom',
  validTo: 't.validTo',
};

const SORTS: Record<string, { column: string; nulls?: 'NULLS FIRST' | 'NULLS LAST' }> = {
  name: { column: 't.nameLower' },
  active: { column: 't.active' },
  validTo: { column: 't.validTo', nulls: 'NULLS LAST' },
  lastUsedAt: { column: 't.lastUsedAt', nulls: 'NULLS FIRST' },
  createdAt: { column: 't.createdAt' },
};

/**
 * Tokens of the caller's organization: every query is filtered by `organizationId`, so another
 * organization's token is simply "not found". Every change commits in one transaction together
 * with its audit row and the change notification the guard's cache listens to.
 *
 * Every change is decided by the domain's `refusalsOf` (the caller's full rights, read in the
 * transaction, against the token as it is and as the change leaves it); a refusal is a 403 with a
 * failure audit row, and nothing is written.
 */
@Injectable()
export class TokensService {
  private readonly logger = new Logger(TokensService.name);

  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly changes: ChangeNotifier,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly catalog: PermissionCatalog,
  ) {}

  // ---------------------------------------------------------------- queries

  async list(who: Principal, query: TokenListQuery): Promise<Page<TokenDto>> {
    const now = this.clock.now();
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    const qb = this.baseQuery(this.db.manager, who.organizationId);

    const words = (query.q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    words.forEach((word, i) => {
      qb.andWhere(`t.nameLower LIKE :q${i} ESCAPE '\\'`, { [`q${i}`]: `%${escapeLike(word)}%` });
    });

    const guid = (query.guid ?? '').trim().toLowerCase();
    if (guid) {
      if (!/^[0-9a-f-]{1,36}$/.test(guid)) return { items: [], total: 0, page, pageSize };
      qb.andWhere(`CAST(t.id AS text) LIKE :guid`, { guid: `${guid}%` });
    }

    if (query.scope) {
      if (!isValidPermission(query.scope)) {
        throw badRequest('scope must be a permission', [{ field: 'scope', message: 'must be resource:action, e.g. tokens:read' }]);
      }
      const [resource = '', action = ''] = query.scope.split(':');
      // Tag grants (`@cli`) of built-in roles are granted as the actions of the catalog carrying the
      // tag: the role's tag grants holding the scope (in JS, effectivePermissions) count as a match.
      const tagGrants = [...new Set(this.catalog.resources.flatMap((r) => Object.values(r.tags ?? {}).flat()))]
        .map((tag) => `@${tag}`)
        .filter((grant) => isTagGrant(grant) && this.catalog.effective([grant]).includes(query.scope as string));
      // The same rule as permissionGrants: each part of a granted permission is '*' or equal.
      qb.andWhere(
        `(EXISTS (SELECT 1 FROM unnest(t.scopes || COALESCE(r.permissions, '{}'::text[])) AS g(p)
                 WHERE split_part(g.p, ':', 1) IN ('*', :scopeResource)
                   AND split_part(g.p, ':', 2) IN ('*', :scopeAction))
          OR COALESCE(r.permissions, '{}'::text[]) && CAST(:scopeTagGrants AS text[]))`,
        { scopeResource: resource, scopeAction: action, scopeTagGrants: tagGrants },
      );
    }

    if (query.status) this.whereStatus(qb, query.status, now);

    const sort = query.sort ?? '-createdAt';
    const desc = sort.startsWith('-');
    const spec = SORTS[desc ? sort.slice(1) : sort] ?? SORTS['createdAt'];
    if (spec) {
      const nulls = spec.nulls && (desc ? (spec.nulls === 'NULLS LAST' ? 'NULLS FIRST' : 'NULLS LAST') : spec.nulls);
      qb.orderBy(spec.column, desc ? 'DESC' : 'ASC', nulls);
    }
    // Ties: by name, then id (TypeORM keys ORDER BY by column, so never repeat the sort column).
    if (spec?.column !== 't.nameLower') qb.addOrderBy('t.nameLower', 'ASC');
    qb.addOrderBy('t.id', 'ASC');
    qb.offset((page - 1) * pageSize).limit(pageSize);

    const [rows, total] = await qb.getManyAndCount();
    return { items: rows.map((t) => toTokenDto(t, t.role ?? null, now, this.catalog.resources)), total, page, pageSize };
  }

  async get(who: Principal, id: string): Promise<TokenDto> {
    const token = await this.load(this.db.manager, who.organizationId, id);
    return toTokenDto(token, token.role ?? null, this.clock.now(), this.catalog.resources);
  }

  // ---------------------------------------------------------------- changes

  async create(who: Principal, input: CreateTokenInput): Promise<CreatedTokenDto> {
    return this.mutate({ who, action: 'token.create', targetId: null }, async (m) => {
      const now = this.clock.now();
      const role = input.roleId ? await this.findRole(m, who.organizationId, input.roleId) : null;
      const scopes = unique(input.scopes ?? []);
      const permissions = this.catalog.effective(role?.permissions, scopes);
      if (permissions.length === 0) {
        throw badRequest('A token needs a role or at least one scope', [
          { field: 'scopes', message: 'Choose a role or at least one permission' },
        ]);
      }
      const lists = normalizeLists(input);
      const validFrom = toDate(input.validFrom);
      const validTo = toDate(input.validTo);
      if (validTo && validTo.getTime() <= now.getTime()) {
        throw badRequest('validTo must be in the future', [{ field: 'validTo', message: 'must be in the future' }]);
      }
      const result = { permissions, ...lists, validFrom, validTo };
      assertNoRefusals('token', refusalsOf(await callerRights(m, who, this.catalog.resources), { kind: 'create', result }, now), 'scopes');
      await this.assertNameFree(m, who.organizationId, input.name);
      // A proposed id (seed 004) is unique across every organization; the answer does not say whose.
      if (input.id !== undefined && (await m.getRepository(Token).existsBy({ id: input.id }))) throw idTaken();

      const secret = generateTokenSecret(TOKEN_PREFIX);
      const actor = actorOf(who);
      const id = input.id ?? randomUUID();
      await m.getRepository(Token).insert({
        id,
        organizationId: who.organizationId,
        name: input.name,
        description: input.description ?? '',
        roleId: role?.id ?? null,
        scopes,
        ...lists,
        validFrom,
        validTo,
        active: true,
        revokedAt: null,
        secretHash: hashTokenSecret(secret),
        previousSecretHash: null,
        previousSecretValidUntil: null,
        hint: tokenHint(secret),
        createdAt: now,
        updatedAt: now,
        createdByKind: actor.kind,
        createdById: actor.id,
        createdByName: actor.name,
      });
      const token = await this.load(m, who.organizationId, id);
      await this.record(m, who, 'token.create', token, {
        roleId: token.roleId,
        scopes,
        ...lists,
        validFrom: token.validFrom?.toISOString() ?? null,
        validTo: token.validTo?.toISOString() ?? null,
      });
      return { token: toTokenDto(token, token.role ?? null, now, this.catalog.resources), secret };
    });
  }

  async update(who: Principal, id: string, input: UpdateTokenInput, ifMatch: string | undefined): Promise<TokenDto> {
    return this.mutate({ who, action: 'token.update', targetId: id }, async (m) => {
      const now = this.clock.now();
      const current = await this.load(m, who.organizationId, id, true);
      if (ifMatch !== undefined && !ifMatchAccepts(ifMatch, current.version)) {
        throw new ProblemException(
          412,
          'Precondition Failed',
          `The token was changed since you read it (now version ${current.version}); reload it and try again`,
        );
      }
      if (current.revokedAt) throw conflict('The token is revoked; a revoked token cannot be changed');

      const patch: Partial<Token> = {};
      const changed: Record<string, unknown> = {};
      if (input.name !== undefined && input.name !== current.name) {
        if (input.name.toLowerCase() !== current.nameLower) await this.assertNameFree(m, who.organizationId, input.name, id);
        patch.name = input.name;
      }
      if (input.description !== undefined) patch.description = input.description;

      let role: Role | null = current.role ?? null;
      if (input.roleId !== undefined) {
        role = input.roleId === null ? null : await this.findRole(m, who.organizationId, input.roleId);
        patch.roleId = role?.id ?? null;
      }
      if (input.scopes !== undefined) patch.scopes = unique(input.scopes);
      const scopes = patch.scopes ?? current.scopes;
      const permissions = this.catalog.effective(role?.permissions, scopes);
      if (permissions.length === 0) {
        throw badRequest('A token needs a role or at least one scope', [
          { field: 'scopes', message: 'Choose a role or at least one permission' },
        ]);
      }

      const lists = normalizeLists(input);
      for (const field of LIST_FIELDS) {
        const value = lists[field];
        if (input[field] !== undefined) patch[field] = value;
      }
      if (input.validFrom !== undefined) patch.validFrom = toDate(input.validFrom);
      if (input.validTo !== undefined) patch.validTo = toDate(input.validTo);
      const validFrom = patch.validFrom !== undefined ? patch.validFrom : current.validFrom;
      const validTo = patch.validTo !== undefined ? patch.validTo : current.validTo;
      if (validFrom && validTo && validTo.getTime() <= validFrom.getTime()) {
        throw badRequest('validTo must be later than validFrom', [{ field: 'validTo', message: 'must be later than validFrom' }]);
      }

      // The caller must cover the token as it is (unless it edits itself) and as the edit leaves it.
      const result = tokenRights({ ...current, ...patch } as Token, role, this.catalog.resources);
      const change = { kind: 'update' as const, current: tokenRights(current, current.role, this.catalog.resources), result, self: isSelf(who, 'token', id) };
      assertNoRefusals('token', refusalsOf(await callerRights(m, who, this.catalog.resources), change, now), 'scopes');

      for (const [key, value] of Object.entries(patch)) {
        const before = (current as unknown as Record<string, unknown>)[key];
        if (!sameValue(before, value)) changed[key] = value instanceof Date ? value.toISOString() : value;
      }
      if (Object.keys(changed).length === 0) return toTokenDto(current, current.role ?? null, now, this.catalog.resources);

      await m.getRepository(Token).update({ id, organizationId: who.organizationId }, { ...patch, updatedAt: now });
      const token = await this.load(m, who.organizationId, id);
      await this.record(m, who, 'token.update', token, { changed: Object.keys(changed), values: changed });
      return toTokenDto(token, token.role ?? null, now, this.catalog.resources);
    });
  }

  async remove(who: Principal, id: string): Promise<void> {
    await this.mutate({ who, action: 'token.delete', targetId: id }, async (m) => {
      const token = await this.load(m, who.organizationId, id, true);
      await this.authorize(m, who, 'delete', token);
      await m.getRepository(Token).delete({ id, organizationId: who.organizationId });
      await this.record(m, who, 'token.delete', token, {});
    });
  }

  async deactivate(who: Principal, id: string): Promise<TokenDto> {
    return this.setActive(who, id, false);
  }

  async activate(who: Principal, id: string): Promise<TokenDto> {
    return this.setActive(who, id, true);
  }

  async revoke(who: Principal, id: string): Promise<TokenDto> {
    return this.mutate({ who, action: 'token.revoke', targetId: id }, async (m) => {
      const now = this.clock.now();
      const current = await this.load(m, who.organizationId, id, true);
      await this.authorize(m, who, 'revoke', current);
      if (current.revokedAt) throw conflict('The token is already revoked');
      await m.getRepository(Token).update(
        { id, organizationId: who.organizationId },
        { revokedAt: now, validTo: now, active: false, previousSecretHash: null, previousSecretValidUntil: null, updatedAt: now },
      );
      const token = await this.load(m, who.organizationId, id);
      await this.record(m, who, 'token.revoke', token, { previousValidTo: current.validTo?.toISOString() ?? null });
      return toTokenDto(token, token.role ?? null, now, this.catalog.resources);
    });
  }

  async regenerate(who: Principal, id: string, input: RegenerateTokenInput): Promise<CreatedTokenDto> {
    return this.mutate({ who, action: 'token.regenerate', targetId: id }, async (m) => {
      const now = this.clock.now();
      const current = await this.load(m, who.organizationId, id, true);
      // Handing out a secret: the caller must cover the token (or be it).
      await this.authorize(m, who, 'regenerate', current);
      if (current.revokedAt) throw conflict('The token is revoked; a revoked token cannot be regenerated');
      const graceSeconds = input.graceSeconds ?? 0;
      const { secretHash: oldHash } = await m
        .getRepository(Token)
        .createQueryBuilder('t')
        .select('t.id')
        .addSelect('t.secretHash')
        .where('t.id = :id', { id })
        .getOneOrFail();

      const secret = generateTokenSecret(TOKEN_PREFIX);
      await m.getRepository(Token).update(
        { id, organizationId: who.organizationId },
        {
          secretHash: hashTokenSecret(secret),
          hint: tokenHint(secret),
          previousSecretHash: graceSeconds > 0 ? oldHash : null,
          previousSecretValidUntil: graceSeconds > 0 ? new Date(now.getTime() + graceSeconds * 1000) : null,
          updatedAt: now,
        },
      );
      const token = await this.load(m, who.organizationId, id);
      await this.record(m, who, 'token.regenerate', token, {
        graceSeconds,
        previousSecretValidUntil: token.previousSecretValidUntil?.toISOString() ?? null,
      });
      return { token: toTokenDto(token, token.role ?? null, now, this.catalog.resources), secret };
    });
  }

  etag(token: TokenDto): string {
    return etagOf(token.version);
  }

  // ---------------------------------------------------------------- internals

  private async setActive(who: Principal, id: string, active: boolean): Promise<TokenDto> {
    return this.mutate({ who, action: active ? 'token.activate' : 'token.deactivate', targetId: id }, async (m) => {
      const now = this.clock.now();
      const current = await this.load(m, who.organizationId, id, true);
      await this.authorize(m, who, active ? 'activate' : 'deactivate', current);
      if (current.revokedAt) {
        throw conflict(`The token is revoked; a revoked token cannot be ${active ? 'activated' : 'deactivated'}`);
      }
      if (current.active === active) return toTokenDto(current, current.role ?? null, now, this.catalog.resources);
      await m.getRepository(Token).update({ id, organizationId: who.organizationId }, { active, updatedAt: now });
      const token = await this.load(m, who.organizationId, id);
      await this.record(m, who, active ? 'token.activate' : 'token.deactivate', token, {});
      return toTokenDto(token, token.role ?? null, now, this.catalog.resources);
    });
  }

  /** A change that leaves the token's rights as they are: the caller must cover it, or be it. */
  private async authorize(m: EntityManager, who: Principal, kind: PrincipalChangeKind, token: TokenWithRole): Promise<void> {
    const change = { kind, current: tokenRights(token, token.role, this.catalog.resources), self: isSelf(who, 'token', token.id) };
    assertNoRefusals('token', refusalsOf(await callerRights(m, who, this.catalog.resources), change, this.clock.now()), 'scopes');
  }

  /**
   * Runs a change in a transaction; a name clash that slipped past the check becomes a 409. A
   * refusal for being wider than the caller (403) is audited as a failure (outside the
   * rolled-back transaction): an attempt to escalate is worth a trace.
   */
  private mutate<T>(attempt: { who: Principal; action: string; targetId: string | null }, work: (m: EntityManager) => Promise<T>): Promise<T> {
    return runAuditedChange(this.db, this.audit, { ...attempt, targetType: 'token' }, work, (error) => {
      if (isUniqueViolation(error, 'uq_tokens_org_name_lower')) return nameTaken();
      if (isUniqueViolation(error, 'tokens_pkey')) return idTaken();
      return undefined;
    });
  }

  private async record(m: EntityManager, who: Principal, action: string, token: Token, details: Record<string, unknown>): Promise<void> {
    await recordChange(this.audit, m, who, action, { type: 'token', id: token.id, name: token.name }, details);
    await this.changes.notify(m, { kind: 'token', id: token.id, org: token.organizationId });
    this.logger.log(`${action} ${token.id} by ${who.kind} ${who.id}`);
  }

  private baseQuery(m: EntityManager, organizationId: string): SelectQueryBuilder<TokenWithRole> {
    return m
      .getRepository(Token)
      .createQueryBuilder('t')
      .leftJoinAndMapOne('t.role', Role, 'r', 'r.id = t.roleId AND r.organizationId = t.organizationId')
      .where('t.organizationId = :org', { org: organizationId }) as SelectQueryBuilder<TokenWithRole>;
  }

  /** The token of this organization, or 404. `lock` takes a row lock for the rest of the transaction. */
  private async load(m: EntityManager, organizationId: string, id: string, lock = false): Promise<TokenWithRole> {
    if (lock) {
      await m
        .getRepository(Token)
        .createQueryBuilder('t')
        .select('t.id')
        .where('t.id = :id AND t.organizationId = :org', { id, org: organizationId })
        .setLock('pessimistic_write')
        .getOne();
    }
    const token = await this.baseQuery(m, organizationId).andWhere('t.id = :id', { id }).getOne();
    if (!token) throw new ProblemException(404, 'Not Found', 'Token not found');
    return token;
  }

  private async findRole(m: EntityManager, organizationId: string, roleId: string): Promise<Role> {
    const role = await m.getRepository(Role).findOne({ where: { id: roleId, organizationId } });
    if (!role) throw badRequest('Unknown role', [{ field: 'roleId', message: 'No such role in this organization' }]);
    return role;
  }

  private async assertNameFree(m: EntityManager, organizationId: string, name: string, exceptId?: string): Promise<void> {
    const qb = m
      .getRepository(Token)
      .createQueryBuilder('t')
      .where('t.organizationId = :org AND t.nameLower = lower(:name)', { org: organizationId, name });
    if (exceptId) qb.andWhere('t.id <> :exceptId', { exceptId });
    if (await qb.getExists()) throw nameTaken();
  }

  private whereStatus(qb: SelectQueryBuilder<TokenWithRole>, status: TokenStatus, now: Date): void {
    qb.andWhere(statusCondition(status, TOKEN_STATUS_COLUMNS), { now });
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function toDate(value: string | null | undefined): Date | null {
  return value ? new Date(value) : null;
}

function normalizeLists(input: Partial<Record<(typeof LIST_FIELDS)[number], string[] | undefined>>): RuleLists {
  return {
    allowedIps: unique((input.allowedIps ?? []).map(normalizeIpRule)),
    blockedIps: unique((input.blockedIps ?? []).map(normalizeIpRule)),
    allowedEndpoints: unique(input.allowedEndpoints ?? []),
    blockedEndpoints: unique(input.blockedEndpoints ?? []),
    allowedOrigins: unique(input.allowedOrigins ?? []),
  };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) {
    return (a instanceof Date ? a.getTime() : a) === (b instanceof Date ? b.getTime() : b);
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}

function nameTaken(): ProblemException {
  return new ProblemException(409, 'Conflict', 'A token with this name already exists in the organization', [
    { field: 'name', message: 'is already used by another token (names are case-insensitive)' },
  ]);
}

/** A proposed id that exists, in this organization or any other (which one is not said). */
function idTaken(): ProblemException {
  return new ProblemException(409, 'Conflict', 'A token with this id already exists', [{ field: 'id', message: 'is taken; propose another UUID v4' }]);
}
