import type {
  AcceptedInvitationDto,
  AuditEventDto,
  CreatedInvitationDto,
  InvitationDto,
  CreatedOrganizationDto,
  CreatedTokenDto,
  ExplainResponseDto,
  IntrospectionDto,
  IpAllowlistDto,
  LoginResponseDto,
  MeDto,
  Page,
  PasswordChangedDto,
  PermissionCatalogDto,
  RoleDto,
  SessionDto,
  TokenDto,
  UserDto,
} from '@tessera/domain';
import { Http, type CallOptions, type Credential, type TesseraClientOptions } from './http.js';
import type {
  AcceptInvitationBody,
  AuditListParams,
  CreateInvitationBody,
  InvitationListParams,
  ChangePasswordBody,
  CreateOrganizationBody,
  CreateRoleBody,
  CreateTokenBody,
  CreateUserBody,
  ExplainBody,
  IntrospectBody,
  IpAllowlistBody,
  LoginBody,
  RegenerateTokenBody,
  TokenListParams,
  UpdateRoleBody,
  UpdateTokenBody,
  UpdateUserBody,
} from './types.js';

export interface UpdateOptions extends CallOptions {
  /**
   * Only apply the edit if the token is still at this version (`TokenDto.version`, or the `ETag`
   * of a GET); a stale one answers 412.
   */
  ifMatch?: number | string;
}

const id = (value: string): string => encodeURIComponent(value);

function ifMatchHeader(ifMatch: number | string | undefined): Record<string, string> {
  if (ifMatch === undefined) return {};
  return { 'if-match': typeof ifMatch === 'number' ? `"${ifMatch}"` : ifMatch };
}

/**
 * A typed client for every route of the Tessera api (`/api/v1`). Each method answers the body the
 * api answers, typed by `@tessera/domain`; a failure throws a {@link TesseraProblem} (the api's
 * problem+json) or a {@link TesseraConnectionError}.
 *
 * ```ts
 * const tessera = new TesseraClient({ url: 'http://127.0.0.1:3000', credential: process.env.TESSERA_TOKEN });
 * const { token, secret } = await tessera.tokens.create({ name: 'CI deploys', scopes: ['tokens:read'] });
 * ```
 */
export class TesseraClient {
  private readonly http: Http;

  constructor(private readonly options: TesseraClientOptions) {
    this.http = new Http(options);
  }

  /** Logs in with email and password and answers a client that uses the new session. */
  static async login(
    options: Omit<TesseraClientOptions, 'credential'>,
    body: LoginBody,
    call: CallOptions = {},
  ): Promise<{ client: TesseraClient; session: LoginResponseDto }> {
    const session = await new TesseraClient(options).auth.login(body, call);
    return { client: new TesseraClient({ ...options, credential: session.token }), session };
  }

  /** The base URL requests go to (without `/api/v1`). */
  get url(): string {
    return this.http.baseUrl;
  }

  /** The same client with another credential (e.g. the session `auth.login` answered). */
  withCredential(credential: Credential | undefined): TesseraClient {
    const next: TesseraClientOptions = { ...this.options };
    if (credential === undefined) delete next.credential;
    else next.credential = credential;
    return new TesseraClient(next);
  }

  readonly auth = {
    /** `POST /auth/login` (no credential sent): a 3-hour session token. */
    login: async (body: LoginBody, o: CallOptions = {}): Promise<LoginResponseDto> =>
      (await this.http.request<LoginResponseDto>({ method: 'POST', path: '/auth/login', body, auth: false, signal: o.signal })).body,
    /** `POST /auth/logout`: ends the calling session (API tokens: 400, revoke them instead). */
    logout: async (o: CallOptions = {}): Promise<void> => {
      await this.http.request<void>({ method: 'POST', path: '/auth/logout', signal: o.signal });
    },
    /** `GET /auth/me`: the caller (user or token), its organization and permissions. */
    me: async (o: CallOptions = {}): Promise<MeDto> =>
      (await this.http.request<MeDto>({ method: 'GET', path: '/auth/me', signal: o.signal })).body,
    /** `GET /auth/sessions`: the caller's recent sessions. */
    sessions: async (o: CallOptions = {}): Promise<Page<SessionDto>> =>
      (await this.http.request<Page<SessionDto>>({ method: 'GET', path: '/auth/sessions', signal: o.signal })).body,
    /** `DELETE /auth/sessions/:id`: ends one of the caller's sessions. */
    endSession: async (sessionId: string, o: CallOptions = {}): Promise<void> => {
      await this.http.request<void>({ method: 'DELETE', path: `/auth/sessions/${id(sessionId)}`, signal: o.signal });
    },
    /** `POST /auth/password`: the signed-in user changes their password (sessions only). */
    changePassword: async (body: ChangePasswordBody, o: CallOptions = {}): Promise<PasswordChangedDto> =>
      (await this.http.request<PasswordChangedDto>({ method: 'POST', path: '/auth/password', body, signal: o.signal })).body,
  };

  readonly tokens = {
    /** `GET /tokens`: one page, filtered and sorted. */
    list: async (params: TokenListParams = {}, o: CallOptions = {}): Promise<Page<TokenDto>> =>
      (await this.http.request<Page<TokenDto>>({ method: 'GET', path: '/tokens', query: params, signal: o.signal })).body,
    /** Every token matching `params`, page after page (100 per request unless `pageSize` says otherwise). */
    all: (params: Omit<TokenListParams, 'page'> = {}, o: CallOptions = {}): AsyncGenerator<TokenDto> =>
      this.pages((page) => this.tokens.list({ pageSize: 100, ...params, page }, o)),
    /** `GET /tokens/:id`. `version` is what `update`'s `ifMatch` takes. */
    get: async (tokenId: string, o: CallOptions = {}): Promise<TokenDto> =>
      (await this.http.request<TokenDto>({ method: 'GET', path: `/tokens/${id(tokenId)}`, signal: o.signal })).body,
    /** `POST /tokens` → `{token, secret}`. The secret is in this answer only. */
    create: async (body: CreateTokenBody, o: CallOptions = {}): Promise<CreatedTokenDto> =>
      (await this.http.request<CreatedTokenDto>({ method: 'POST', path: '/tokens', body, signal: o.signal })).body,
    /** `PATCH /tokens/:id`: name, description, role, scopes, rules, dates (never the secret). */
    update: async (tokenId: string, body: UpdateTokenBody, o: UpdateOptions = {}): Promise<TokenDto> =>
      (
        await this.http.request<TokenDto>({
          method: 'PATCH',
          path: `/tokens/${id(tokenId)}`,
          body,
          headers: ifMatchHeader(o.ifMatch),
          signal: o.signal,
        })
      ).body,
    /** `DELETE /tokens/:id`: permanent. */
    delete: async (tokenId: string, o: CallOptions = {}): Promise<void> => {
      await this.http.request<void>({ method: 'DELETE', path: `/tokens/${id(tokenId)}`, signal: o.signal });
    },
    /** `POST /tokens/:id/deactivate` (reversible). */
    deactivate: async (tokenId: string, o: CallOptions = {}): Promise<TokenDto> =>
      (await this.http.request<TokenDto>({ method: 'POST', path: `/tokens/${id(tokenId)}/deactivate`, signal: o.signal })).body,
    /** `POST /tokens/:id/activate` (not a revoked one). */
    activate: async (tokenId: string, o: CallOptions = {}): Promise<TokenDto> =>
      (await this.http.request<TokenDto>({ method: 'POST', path: `/tokens/${id(tokenId)}/activate`, signal: o.signal })).body,
    /** `POST /tokens/:id/revoke` (terminal). */
    revoke: async (tokenId: string, o: CallOptions = {}): Promise<TokenDto> =>
      (await this.http.request<TokenDto>({ method: 'POST', path: `/tokens/${id(tokenId)}/revoke`, signal: o.signal })).body,
    /** `POST /tokens/:id/regenerate` → `{token, secret}`; `graceSeconds` keeps the old secret that long. */
    regenerate: async (tokenId: string, body: RegenerateTokenBody = {}, o: CallOptions = {}): Promise<CreatedTokenDto> =>
      (await this.http.request<CreatedTokenDto>({ method: 'POST', path: `/tokens/${id(tokenId)}/regenerate`, body, signal: o.signal }))
        .body,
  };

  readonly roles = {
    /** `GET /roles`: the organization's roles, built-in ones included. */
    list: async (o: CallOptions = {}): Promise<RoleDto[]> =>
      (await this.http.request<RoleDto[]>({ method: 'GET', path: '/roles', signal: o.signal })).body,
    get: async (roleId: string, o: CallOptions = {}): Promise<RoleDto> =>
      (await this.http.request<RoleDto>({ method: 'GET', path: `/roles/${id(roleId)}`, signal: o.signal })).body,
    create: async (body: CreateRoleBody, o: CallOptions = {}): Promise<RoleDto> =>
      (await this.http.request<RoleDto>({ method: 'POST', path: '/roles', body, signal: o.signal })).body,
    update: async (roleId: string, body: UpdateRoleBody, o: CallOptions = {}): Promise<RoleDto> =>
      (await this.http.request<RoleDto>({ method: 'PATCH', path: `/roles/${id(roleId)}`, body, signal: o.signal })).body,
    /** A role in use by a token or user answers 409. */
    delete: async (roleId: string, o: CallOptions = {}): Promise<void> => {
      await this.http.request<void>({ method: 'DELETE', path: `/roles/${id(roleId)}`, signal: o.signal });
    },
  };

  readonly permissions = {
    /** `GET /permissions`: the catalog of resources and their actions. */
    catalog: async (o: CallOptions = {}): Promise<PermissionCatalogDto> =>
      (await this.http.request<PermissionCatalogDto>({ method: 'GET', path: '/permissions', signal: o.signal })).body,
  };

  readonly users = {
    list: async (o: CallOptions = {}): Promise<UserDto[]> =>
      (await this.http.request<UserDto[]>({ method: 'GET', path: '/users', signal: o.signal })).body,
    get: async (userId: string, o: CallOptions = {}): Promise<UserDto> =>
      (await this.http.request<UserDto>({ method: 'GET', path: `/users/${id(userId)}`, signal: o.signal })).body,
    create: async (body: CreateUserBody, o: CallOptions = {}): Promise<UserDto> =>
      (await this.http.request<UserDto>({ method: 'POST', path: '/users', body, signal: o.signal })).body,
    update: async (userId: string, body: UpdateUserBody, o: CallOptions = {}): Promise<UserDto> =>
      (await this.http.request<UserDto>({ method: 'PATCH', path: `/users/${id(userId)}`, body, signal: o.signal })).body,
  };

  readonly invitations = {
    /** `GET /invitations`: pending and expired invitations of the organization. */
    list: async (params: InvitationListParams = {}, o: CallOptions = {}): Promise<Page<InvitationDto>> =>
      (await this.http.request<Page<InvitationDto>>({ method: 'GET', path: '/invitations', query: params, signal: o.signal })).body,
    /** `POST /invitations` → the single-use link (shown once), valid 72 hours. */
    create: async (body: CreateInvitationBody, o: CallOptions = {}): Promise<CreatedInvitationDto> =>
      (await this.http.request<CreatedInvitationDto>({ method: 'POST', path: '/invitations', body, signal: o.signal })).body,
    /** `POST /invitations/:id/resend`: a new link; the old one stops working. */
    resend: async (invitationId: string, o: CallOptions = {}): Promise<CreatedInvitationDto> =>
      (await this.http.request<CreatedInvitationDto>({ method: 'POST', path: `/invitations/${id(invitationId)}/resend`, signal: o.signal })).body,
    /** `DELETE /invitations/:id`: withdraws it (its link answers 410). */
    delete: async (invitationId: string, o: CallOptions = {}): Promise<void> => {
      await this.http.request<void>({ method: 'DELETE', path: `/invitations/${id(invitationId)}`, signal: o.signal });
    },
    /** `POST /invitations/accept` (no credential sent): creates the user and logs them in. */
    accept: async (body: AcceptInvitationBody, o: CallOptions = {}): Promise<AcceptedInvitationDto> =>
      (await this.http.request<AcceptedInvitationDto>({ method: 'POST', path: '/invitations/accept', body, auth: false, signal: o.signal })).body,
  };

  readonly organizations = {
    /** `POST /organizations` (principals of the first organization only). */
    create: async (body: CreateOrganizationBody, o: CallOptions = {}): Promise<CreatedOrganizationDto> =>
      (await this.http.request<CreatedOrganizationDto>({ method: 'POST', path: '/organizations', body, signal: o.signal })).body,
  };

  readonly security = {
    /** `GET /security/ip-allowlist`, with the address Tessera sees the caller at. */
    ipAllowlist: async (o: CallOptions = {}): Promise<IpAllowlistDto> =>
      (await this.http.request<IpAllowlistDto>({ method: 'GET', path: '/security/ip-allowlist', signal: o.signal })).body,
    /** `PUT /security/ip-allowlist`; a list that shuts the caller out answers 409 unless `force`. */
    setIpAllowlist: async (body: IpAllowlistBody, o: CallOptions = {}): Promise<IpAllowlistDto> =>
      (await this.http.request<IpAllowlistDto>({ method: 'PUT', path: '/security/ip-allowlist', body, signal: o.signal })).body,
  };

  readonly audit = {
    /** `GET /audit`: newest first, filtered, one page. */
    list: async (params: AuditListParams = {}, o: CallOptions = {}): Promise<Page<AuditEventDto>> =>
      (await this.http.request<Page<AuditEventDto>>({ method: 'GET', path: '/audit', query: params, signal: o.signal })).body,
  };

  readonly access = {
    /** `POST /access/explain`: the guard's decision for a token and a request, step by step. */
    explain: async (body: ExplainBody, o: CallOptions = {}): Promise<ExplainResponseDto> =>
      (await this.http.request<ExplainResponseDto>({ method: 'POST', path: '/access/explain', body, signal: o.signal })).body,
  };

  readonly health = {
    live: async (o: CallOptions = {}): Promise<{ status: string }> =>
      (await this.http.request<{ status: string }>({ method: 'GET', path: '/health/live', auth: false, signal: o.signal })).body,
    /** 503 (thrown) while the database is unreachable. */
    ready: async (o: CallOptions = {}): Promise<{ status: string; info?: Record<string, unknown> }> =>
      (await this.http.request<{ status: string }>({ method: 'GET', path: '/health/ready', auth: false, signal: o.signal })).body,
  };

  /**
   * `POST /introspect` (RFC 7662; the caller needs `tokens:introspect`): is `token` active in the
   * caller's organization, and what may it do? Inactive, unknown and malformed tokens all answer
   * `{active: false}`. With `request` (the method, path and client ip the token came with, and
   * optionally its origin and the permission the route needs) the answer carries Tessera's access
   * `decision` for it, so IP, endpoint and origin rules hold in the calling service too.
   */
  async introspect(
    token: string,
    o: CallOptions & { tokenTypeHint?: string; request?: Omit<IntrospectBody, 'token' | 'token_type_hint'> } = {},
  ): Promise<IntrospectionDto> {
    const body: IntrospectBody = { token, ...o.request, ...(o.tokenTypeHint === undefined ? {} : { token_type_hint: o.tokenTypeHint }) };
    return (await this.http.request<IntrospectionDto>({ method: 'POST', path: '/introspect', body, signal: o.signal })).body;
  }

  /** `GET /metrics` (Prometheus text; needs `metrics:read`). */
  async metrics(o: CallOptions = {}): Promise<string> {
    return (await this.http.request<string>({ method: 'GET', path: '/metrics', root: true, signal: o.signal })).body;
  }

  private async *pages<T>(fetchPage: (page: number) => Promise<Page<T>>): AsyncGenerator<T> {
    for (let page = 1; ; page += 1) {
      const answer = await fetchPage(page);
      yield* answer.items;
      if (answer.items.length === 0 || page * answer.pageSize >= answer.total) return;
    }
  }
}
