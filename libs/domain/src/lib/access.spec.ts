import fc from 'fast-check';
import {
  DENY_REASONS,
  DENY_RESPONSES,
  STATUS_DENY_REASONS,
  accessDenied,
  compileAccessRules,
  decideAccess,
  type AccessDecision,
  type AccessRequest,
  type AccessRulesInput,
  type AccessSubject,
  type DenyReason,
} from './access';
import { createIpMatcher } from './ip';
import { canonicalRequestTarget } from './request-target';
import { TOKEN_STATUSES } from './status';

const NOW = new Date('2030-06-01T12:00:00Z');
const NO_ORG_LIST = createIpMatcher([]);

/** Test data builder for a token (subject) with its rules. */
class SubjectBuilder {
  private rules: AccessRulesInput = { permissions: ['*:*'] };
  private fields: Omit<AccessSubject, 'rules'> = {
    active: true,
    revokedAt: null,
    validFrom: null,
    validTo: null,
  };

  with(rules: Partial<AccessRulesInput>): this {
    this.rules = { ...this.rules, ...rules };
    return this;
  }
  revoked(): this {
    this.fields = { ...this.fields, revokedAt: new Date('2030-01-01T00:00:00Z') };
    return this;
  }
  inactive(): this {
    this.fields = { ...this.fields, active: false };
    return this;
  }
  pending(): this {
    this.fields = { ...this.fields, validFrom: new Date('2031-01-01T00:00:00Z') };
    return this;
  }
  expired(): this {
    this.fields = { ...this.fields, validTo: new Date('2030-01-01T00:00:00Z') };
    return this;
  }
  build(): AccessSubject {
    return { ...this.fields, rules: compileAccessRules(this.rules) };
  }
}
const aToken = (): SubjectBuilder => new SubjectBuilder();

function aRequest(overrides: Partial<AccessRequest> = {}): AccessRequest {
  return {
    method: 'GET',
    path: '/api/v1/tokens',
    ip: '203.0.113.7',
    origin: null,
    requiredPermission: 'tokens:read',
    now: NOW,
    ...overrides,
  };
}

function reasonOf(d: AccessDecision): DenyReason | 'allowed' {
  return d.allowed ? 'allowed' : d.reason;
}

/** One scenario per reason: adding a reason without a scenario fails to compile. */
const SCENARIOS: Record<DenyReason, () => AccessDecision> = {
  malformed: () => accessDenied('malformed'),
  unknown: () => decideAccess(null, aRequest(), NO_ORG_LIST),
  revoked: () => decideAccess(aToken().revoked().build(), aRequest(), NO_ORG_LIST),
  inactive: () => decideAccess(aToken().inactive().build(), aRequest(), NO_ORG_LIST),
  pending: () => decideAccess(aToken().pending().build(), aRequest(), NO_ORG_LIST),
  expired: () => decideAccess(aToken().expired().build(), aRequest(), NO_ORG_LIST),
  org_ip_not_allowed: () =>
    decideAccess(aToken().build(), aRequest(), createIpMatcher(['10.0.0.0/8'])),
  ip_blocked: () =>
    decideAccess(
      aToken()
        .with({ blockedIps: ['203.0.113.0/24'] })
        .build(),
      aRequest(),
      NO_ORG_LIST,
    ),
  ip_not_allowed: () =>
    decideAccess(
      aToken()
        .with({ allowedIps: ['10.0.0.0/8'] })
        .build(),
      aRequest(),
      NO_ORG_LIST,
    ),
  origin_not_allowed: () =>
    decideAccess(
      aToken()
        .with({ allowedOrigins: ['https://app.example.com'] })
        .build(),
      aRequest({ origin: 'https://evil.example.net' }),
      NO_ORG_LIST,
    ),
  endpoint_blocked: () =>
    decideAccess(
      aToken()
        .with({ blockedEndpoints: ['GET /api/v1/**'] })
        .build(),
      aRequest(),
      NO_ORG_LIST,
    ),
  endpoint_not_allowed: () =>
    decideAccess(
      aToken()
        .with({ allowedEndpoints: ['POST /api/v1/tokens'] })
        .build(),
      aRequest(),
      NO_ORG_LIST,
    ),
  missing_permission: () =>
    decideAccess(
      aToken()
        .with({ permissions: ['roles:read'] })
        .build(),
      aRequest(),
      NO_ORG_LIST,
    ),
};

describe('deny reasons', () => {
  it.each(DENY_REASONS.map((r) => [r]))(
    'produces %s with its status, error and message',
    (reason) => {
      const d = SCENARIOS[reason]();
      expect(d.allowed).toBe(false);
      if (d.allowed) return;
      expect(d.reason).toBe(reason);
      expect(d.status).toBe(DENY_RESPONSES[reason].status);
      expect(d.error).toBe(DENY_RESPONSES[reason].error);
      expect(d.message.length).toBeGreaterThan(0);
    },
  );

  it('answers 401 invalid_token for every token problem and 403 for every rule', () => {
    const invalidToken: DenyReason[] = [
      'malformed',
      'unknown',
      'revoked',
      'inactive',
      'pending',
      'expired',
    ];
    for (const reason of DENY_REASONS) {
      const r = DENY_RESPONSES[reason];
      if (invalidToken.includes(reason))
        expect([reason, r.status, r.error]).toEqual([reason, 401, 'invalid_token']);
      else if (reason === 'missing_permission')
        expect([r.status, r.error]).toEqual([403, 'insufficient_scope']);
      else expect([reason, r.status, r.error]).toEqual([reason, 403, null]);
    }
  });

  it('maps every status but active to a reason', () => {
    for (const status of TOKEN_STATUSES) {
      if (status === 'active') continue;
      expect(DENY_REASONS).toContain(STATUS_DENY_REASONS[status]);
    }
  });
});

describe('decideAccess (examples)', () => {
  it('allows an active token with the permission and no restrictions', () => {
    expect(decideAccess(aToken().build(), aRequest(), NO_ORG_LIST)).toEqual({
      allowed: true,
      steps: [],
    });
  });

  it('allows a route that needs no permission to a token with none that matters', () => {
    const d = decideAccess(
      aToken()
        .with({ permissions: ['roles:read'] })
        .build(),
      aRequest({ requiredPermission: null }),
      NO_ORG_LIST,
    );
    expect(d.allowed).toBe(true);
  });

  it('names the missing scope', () => {
    const d = SCENARIOS.missing_permission();
    expect(d).toMatchObject({ status: 403, error: 'insufficient_scope', scope: 'tokens:read' });
    if (!d.allowed) expect(d.message).toContain('tokens:read');
  });

  it('lets blocked IPs win over allowed ones', () => {
    const token = aToken()
      .with({ allowedIps: ['203.0.113.0/24'], blockedIps: ['203.0.113.7'] })
      .build();
    expect(reasonOf(decideAccess(token, aRequest(), NO_ORG_LIST))).toBe('ip_blocked');
    expect(reasonOf(decideAccess(token, aRequest({ ip: '203.0.113.8' }), NO_ORG_LIST))).toBe(
      'allowed',
    );
  });

  it('applies the org allowlist to mapped addresses as IPv4', () => {
    const org = createIpMatcher(['203.0.113.0/24']);
    expect(
      reasonOf(decideAccess(aToken().build(), aRequest({ ip: '::ffff:203.0.113.7' }), org)),
    ).toBe('allowed');
  });

  it('fails closed on an address it cannot read when any IP rule exists', () => {
    const ip = 'not-an-ip';
    expect(reasonOf(decideAccess(aToken().build(), aRequest({ ip }), NO_ORG_LIST))).toBe('allowed');
    expect(
      reasonOf(decideAccess(aToken().build(), aRequest({ ip }), createIpMatcher(['0.0.0.0/0']))),
    ).toBe('org_ip_not_allowed');
    expect(
      reasonOf(
        decideAccess(
          aToken()
            .with({ blockedIps: ['10.0.0.0/8'] })
            .build(),
          aRequest({ ip }),
          NO_ORG_LIST,
        ),
      ),
    ).toBe('ip_blocked');
    expect(
      reasonOf(
        decideAccess(
          aToken()
            .with({ allowedIps: ['0.0.0.0/0'] })
            .build(),
          aRequest({ ip }),
          NO_ORG_LIST,
        ),
      ),
    ).toBe('ip_not_allowed');
  });

  it('checks the origin only when the request has one', () => {
    const token = aToken()
      .with({ allowedOrigins: ['https://app.example.com'] })
      .build();
    expect(reasonOf(decideAccess(token, aRequest({ origin: null }), NO_ORG_LIST))).toBe('allowed');
    expect(reasonOf(decideAccess(token, aRequest({ origin: undefined }), NO_ORG_LIST))).toBe(
      'allowed',
    );
    expect(
      reasonOf(decideAccess(token, aRequest({ origin: 'https://app.example.com' }), NO_ORG_LIST)),
    ).toBe('allowed');
    expect(reasonOf(decideAccess(token, aRequest({ origin: 'null' }), NO_ORG_LIST))).toBe(
      'origin_not_allowed',
    );
    expect(
      reasonOf(
        decideAccess(aToken().build(), aRequest({ origin: 'https://any.where' }), NO_ORG_LIST),
      ),
    ).toBe('allowed');
  });

  it('lets blocked endpoints win over allowed ones', () => {
    const token = aToken()
      .with({ allowedEndpoints: ['* /api/v1/**'], blockedEndpoints: ['DELETE /api/v1/tokens/*'] })
      .build();
    expect(
      reasonOf(
        decideAccess(token, aRequest({ method: 'DELETE', path: '/api/v1/tokens/1' }), NO_ORG_LIST),
      ),
    ).toBe('endpoint_blocked');
    expect(
      reasonOf(
        decideAccess(token, aRequest({ method: 'GET', path: '/api/v1/tokens/1' }), NO_ORG_LIST),
      ),
    ).toBe('allowed');
  });

  it('checks in order: status, org IP, token IP, origin, endpoint, permission', () => {
    const everythingWrong = aToken().with({
      permissions: ['roles:read'],
      allowedIps: ['10.0.0.0/8'],
      allowedOrigins: ['https://app.example.com'],
      allowedEndpoints: ['POST /x'],
    });
    const req = aRequest({ origin: 'https://evil.example.net' });
    const org = createIpMatcher(['192.0.2.0/24']);
    expect(reasonOf(decideAccess(everythingWrong.expired().build(), req, org))).toBe('expired');
    const active = aToken().with({
      permissions: ['roles:read'],
      allowedIps: ['10.0.0.0/8'],
      allowedOrigins: ['https://app.example.com'],
      allowedEndpoints: ['POST /x'],
    });
    expect(reasonOf(decideAccess(active.build(), req, org))).toBe('org_ip_not_allowed');
    expect(reasonOf(decideAccess(active.build(), req, NO_ORG_LIST))).toBe('ip_not_allowed');
    expect(reasonOf(decideAccess(active.with({ allowedIps: [] }).build(), req, NO_ORG_LIST))).toBe(
      'origin_not_allowed',
    );
    expect(
      reasonOf(decideAccess(active.with({ allowedOrigins: [] }).build(), req, NO_ORG_LIST)),
    ).toBe('endpoint_not_allowed');
    expect(
      reasonOf(decideAccess(active.with({ allowedEndpoints: [] }).build(), req, NO_ORG_LIST)),
    ).toBe('missing_permission');
  });

  it('explains each step it took, in order, ending with the failing one', () => {
    const token = aToken()
      .with({ permissions: ['roles:read'], allowedIps: ['203.0.113.0/24'] })
      .build();
    const d = decideAccess(
      token,
      aRequest({ origin: 'https://a.example.com' }),
      createIpMatcher(['203.0.0.0/8']),
      {
        explain: true,
      },
    );
    expect(d.steps.map((s) => [s.step, s.ok])).toEqual([
      ['lookup', true],
      ['status', true],
      ['org_ip', true],
      ['ip', true],
      ['origin', true],
      ['endpoint', true],
      ['permission', false],
    ]);
    expect(d.steps.at(-1)?.detail).toContain('tokens:read');
  });

  it('explains an unknown token in one step', () => {
    const d = decideAccess(null, aRequest(), NO_ORG_LIST, { explain: true });
    expect(d.steps).toEqual([{ step: 'lookup', ok: false, detail: expect.any(String) }]);
  });

  it('records no steps unless asked to explain', () => {
    expect(SCENARIOS.ip_blocked().steps).toEqual([]);
  });

  it('refuses to compile invalid stored rules', () => {
    expect(() => compileAccessRules({ permissions: [], allowedIps: ['10.0.0.1/8'] })).toThrow(
      /host bits set/,
    );
    expect(() => compileAccessRules({ permissions: [], allowedEndpoints: ['nope'] })).toThrow(
      /endpoint rule/,
    );
  });
});

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

const arbIp = fc.oneof(
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.')),
  fc.constantFrom('203.0.113.7', '10.1.2.3', '::1', '2001:db8::5', '::ffff:10.1.2.3', 'garbage'),
);
const arbIpRule = fc.constantFrom(
  '10.0.0.0/8',
  '203.0.113.0/24',
  '0.0.0.0/0',
  '::/0',
  '2001:db8::/32',
  '10.1.2.3',
  '::1',
);
const arbPermission = fc.constantFrom(
  '*:*',
  '*:read',
  'tokens:read',
  'tokens:write',
  'tokens:*',
  'roles:read',
  'audit:read',
);
const arbRules = fc.record({
  permissions: fc.array(arbPermission, { maxLength: 4 }),
  allowedIps: fc.array(arbIpRule, { maxLength: 3 }),
  blockedIps: fc.array(arbIpRule, { maxLength: 3 }),
  allowedEndpoints: fc.array(
    fc.constantFrom('GET /api/v1/**', '* /api/v1/tokens', 'POST /api/v1/tokens/*', '* /**'),
    {
      maxLength: 2,
    },
  ),
  blockedEndpoints: fc.array(fc.constantFrom('DELETE /api/v1/**', 'GET /api/v1/audit'), {
    maxLength: 2,
  }),
  allowedOrigins: fc.array(fc.constantFrom('https://app.example.com', 'https://*.example.org'), {
    maxLength: 2,
  }),
});
const arbDate = fc.option(
  fc.date({ min: new Date('2029-01-01'), max: new Date('2031-12-31'), noInvalidDate: true }),
);
const arbSubject = fc
  .record({
    rules: arbRules,
    active: fc.boolean(),
    revoked: fc.boolean(),
    validFrom: arbDate,
    validTo: arbDate,
  })
  .map(({ rules, active, revoked, validFrom, validTo }): AccessSubject => ({
    active,
    revokedAt: revoked ? new Date('2030-01-01') : null,
    validFrom,
    validTo,
    rules: compileAccessRules(rules),
  }));
const arbRequest = fc.record({
  method: fc.constantFrom('GET', 'POST', 'DELETE'),
  path: fc.constantFrom('/api/v1/tokens', '/api/v1/tokens/1', '/api/v1/audit', '/other'),
  ip: arbIp,
  origin: fc.option(
    fc.constantFrom('https://app.example.com', 'https://x.example.org', 'https://evil.net'),
  ),
  requiredPermission: fc.option(
    fc.constantFrom('tokens:read', 'tokens:write', 'roles:write', 'audit:read'),
  ),
  now: fc.constant(NOW),
});
const arbOrg = fc.array(arbIpRule, { maxLength: 2 }).map(createIpMatcher);

describe('decideAccess (properties)', () => {
  it('decides the same with the target already parsed by the caller as from the raw path', () => {
    const spellings = fc.constantFrom(
      '/api/v1/tokens',
      '/API/v1//Tokens/',
      '/api/v1/tokens/1',
      '/api/v1/%61udit',
      '/api/v1/./audit',
      'http://evil/api/v1/audit',
      '/api/v1/tokens;x',
      '/other',
      '/api/v1/%zz',
    );
    fc.assert(
      fc.property(
        arbSubject,
        arbRequest,
        spellings,
        fc.constantFrom('GET', 'HEAD', 'delete'),
        arbOrg,
        fc.boolean(),
        (subject, request, path, method, org, explain) => {
          const raw = { ...request, method, path };
          const parsed = { ...raw, target: canonicalRequestTarget(method, path) };
          expect(decideAccess(subject, parsed, org, { explain })).toEqual(
            decideAccess(subject, raw, org, { explain }),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never allows a revoked token', () => {
    fc.assert(
      fc.property(arbSubject, arbRequest, arbOrg, (subject, request, org) => {
        const d = decideAccess({ ...subject, revokedAt: new Date('2030-01-01') }, request, org);
        expect(d).toMatchObject({
          allowed: false,
          status: 401,
          error: 'invalid_token',
          reason: 'revoked',
        });
      }),
    );
  });

  it('never allows a blocked IP, whatever the allowed list says', () => {
    fc.assert(
      fc.property(arbSubject, arbRequest, arbOrg, (subject, request, org) => {
        if (subject.rules.blockedIps.matches(request.ip))
          expect(decideAccess(subject, request, org).allowed).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('never allows an address outside a non-empty org allowlist', () => {
    fc.assert(
      fc.property(arbSubject, arbRequest, arbOrg, (subject, request, org) => {
        if (org.size > 0 && !org.matches(request.ip))
          expect(decideAccess(subject, request, org).allowed).toBe(false);
      }),
    );
  });

  it('answers a missing permission with 403 insufficient_scope naming the required one', () => {
    fc.assert(
      fc.property(arbSubject, arbRequest, arbOrg, (subject, request, org) => {
        const d = decideAccess(subject, request, org);
        const required = request.requiredPermission;
        if (required !== null && !subject.rules.permissions.grants(required)) {
          expect(d.allowed).toBe(false);
          if (!d.allowed && d.reason === 'missing_permission') {
            expect(d).toMatchObject({ status: 403, error: 'insufficient_scope', scope: required });
          }
        }
        if (!d.allowed && d.reason === 'missing_permission') {
          expect(d).toMatchObject({ status: 403, error: 'insufficient_scope', scope: required });
        }
      }),
      { numRuns: 500 },
    );
  });

  it('always answers missing_permission when only the permission is wrong', () => {
    fc.assert(
      fc.property(arbRules, arbRequest, (rules, request) => {
        const subject = aToken().with({ permissions: rules.permissions }).build();
        const d = decideAccess(subject, { ...request, origin: null }, NO_ORG_LIST);
        const required = request.requiredPermission;
        if (required !== null && !subject.rules.permissions.grants(required)) {
          expect(d).toEqual(
            expect.objectContaining({
              status: 403,
              error: 'insufficient_scope',
              scope: required,
              reason: 'missing_permission',
            }),
          );
        } else {
          expect(d.allowed).toBe(true);
        }
      }),
    );
  });

  it('allows only when every rule agrees', () => {
    fc.assert(
      fc.property(arbSubject, arbRequest, arbOrg, (subject, request, org) => {
        const d = decideAccess(subject, request, org);
        const r = subject.rules;
        const expected =
          subject.revokedAt === null &&
          subject.active &&
          (subject.validFrom === null || subject.validFrom <= NOW) &&
          (subject.validTo === null || subject.validTo > NOW) &&
          (org.size === 0 || org.matches(request.ip)) &&
          !r.blockedIps.matches(request.ip) &&
          (r.blockedIps.size === 0 || request.ip !== 'garbage') &&
          (r.allowedIps.size === 0 || r.allowedIps.matches(request.ip)) &&
          (request.origin === null ||
            r.allowedOrigins.size === 0 ||
            r.allowedOrigins.matches(request.origin)) &&
          !r.blockedEndpoints.matches(request.method, request.path) &&
          (r.allowedEndpoints.size === 0 ||
            r.allowedEndpoints.matches(request.method, request.path)) &&
          (request.requiredPermission === null || r.permissions.grants(request.requiredPermission));
        expect(d.allowed).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('takes the same decision with and without explain, and the last step explains it', () => {
    fc.assert(
      fc.property(arbSubject, arbRequest, arbOrg, (subject, request, org) => {
        const fast = decideAccess(subject, request, org);
        const explained = decideAccess(subject, request, org, { explain: true });
        expect({ ...explained, steps: [] }).toEqual(fast);
        expect(explained.steps.length).toBeGreaterThan(0);
        expect(explained.steps.at(-1)?.ok).toBe(fast.allowed);
        expect(explained.steps.slice(0, -1).every((s) => s.ok)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
