import fc from 'fast-check';
import {
  LIMITS,
  auditQuerySchema,
  changePasswordSchema,
  createOrganizationSchema,
  createRoleSchema,
  createTokenSchema,
  createUserSchema,
  explainRequestSchema,
  introspectSchema,
  ipAllowlistSchema,
  loginSchema,
  regenerateTokenSchema,
  tokenListQuerySchema,
  updateRoleSchema,
  updateTokenSchema,
  updateUserSchema,
  validate,
} from './dto';

const ROLE_ID = '3f1c2b7a-9d4e-4f6a-8b2c-1d2e3f4a5b6c';

function errorsOf(result: ReturnType<typeof validate>): Record<string, string> {
  if (result.ok) throw new Error('expected errors');
  return Object.fromEntries(result.errors.map((e) => [e.field, e.message]));
}

describe('createTokenSchema', () => {
  it('accepts a minimal token with a role, and one with scopes', () => {
    expect(validate(createTokenSchema, { name: 'CI', roleId: ROLE_ID })).toEqual({
      ok: true,
      value: { name: 'CI', roleId: ROLE_ID },
    });
    expect(validate(createTokenSchema, { name: 'CI', scopes: ['tokens:read'] }).ok).toBe(true);
  });

  it('accepts every rule list and dates', () => {
    const r = validate(createTokenSchema, {
      name: '  Deploy bot  ',
      description: 'deploys',
      roleId: null,
      scopes: ['*:read'],
      allowedIps: ['10.0.0.0/8', '2001:db8::/32'],
      blockedIps: ['10.0.0.1'],
      allowedEndpoints: ['GET /api/v1/**'],
      blockedEndpoints: ['DELETE /api/v1/tokens/*'],
      allowedOrigins: ['https://*.example.com'],
      validFrom: '2030-01-01T00:00:00Z',
      validTo: '2031-01-01T00:00:00.000+02:00',
    });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.name).toBe('Deploy bot');
  });

  it('names the wrong list entry and what is wrong with it', () => {
    const errors = errorsOf(
      validate(createTokenSchema, {
        name: 'x',
        scopes: ['tokens:read', 'Tokens:Read'],
        allowedIps: ['10.0.0.0/8', '1.2.3.4', '10.0.0.1/8'],
        blockedIps: ['fe80::1%eth0'],
        allowedEndpoints: ['FETCH /x'],
        allowedOrigins: ['ftp://x.com'],
      }),
    );
    expect(errors['allowedIps.2']).toBe(
      '"10.0.0.1/8" is not a valid IP address or CIDR (host bits set)',
    );
    expect(errors['blockedIps.0']).toBe('"fe80::1%eth0" has a zone id, which is not allowed');
    expect(errors['scopes.1']).toContain('"Tokens:Read" is not a valid permission');
    expect(errors['allowedEndpoints.0']).toContain('"FETCH /x" is not a valid endpoint rule');
    expect(errors['allowedOrigins.0']).toContain('"ftp://x.com" is not a valid origin rule');
  });

  it('requires a name within the limit', () => {
    expect(errorsOf(validate(createTokenSchema, { scopes: ['a:b'] }))['name']).toBe(
      'Name must be a string',
    );
    expect(errorsOf(validate(createTokenSchema, { name: '   ', scopes: ['a:b'] }))['name']).toBe(
      'Name is required',
    );
    expect(
      errorsOf(validate(createTokenSchema, { name: 'x'.repeat(101), scopes: ['a:b'] }))['name'],
    ).toBe('Name must be at most 100 characters');
    expect(validate(createTokenSchema, { name: 'x'.repeat(100), scopes: ['a:b'] }).ok).toBe(true);
  });

  it('limits description and list lengths', () => {
    const tooMany = Array.from({ length: LIMITS.listMax + 1 }, (_, i) => `10.0.${i}.0/24`);
    const errors = errorsOf(
      validate(createTokenSchema, {
        name: 'x',
        scopes: ['a:b'],
        description: 'd'.repeat(1001),
        allowedIps: tooMany,
      }),
    );
    expect(errors['description']).toBe('Description must be at most 1000 characters');
    expect(errors['allowedIps']).toBe('At most 100 entries');
  });

  it('needs a role or at least one scope', () => {
    expect(errorsOf(validate(createTokenSchema, { name: 'x' }))['scopes']).toBe(
      'Choose a role or at least one permission (scopes)',
    );
    expect(
      errorsOf(validate(createTokenSchema, { name: 'x', scopes: [] }))['scopes'],
    ).toBeDefined();
  });

  it('needs validTo after validFrom, and ISO dates', () => {
    const base = { name: 'x', scopes: ['a:b'] };
    expect(
      errorsOf(
        validate(createTokenSchema, {
          ...base,
          validFrom: '2031-01-01T00:00:00Z',
          validTo: '2030-01-01T00:00:00Z',
        }),
      )['validTo'],
    ).toBe('validTo must be later than validFrom');
    expect(
      errorsOf(validate(createTokenSchema, { ...base, validTo: 'tomorrow' }))['validTo'],
    ).toContain('ISO 8601');
  });

  it('rejects unknown fields by name', () => {
    expect(
      errorsOf(
        validate(createTokenSchema, { name: 'x', scopes: ['a:b'], secret: 's', admin: true }),
      ),
    ).toEqual({
      secret: 'Unknown field "secret"',
      admin: 'Unknown field "admin"',
    });
  });

  it('rejects a body that is not an object', () => {
    for (const body of [null, 'x', 42, []]) {
      const r = validate(createTokenSchema, body);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors[0]?.field).toBe('');
    }
  });
});

describe('updateTokenSchema', () => {
  it('accepts any subset of fields, even none', () => {
    expect(validate(updateTokenSchema, {}).ok).toBe(true);
    expect(validate(updateTokenSchema, { scopes: [] }).ok).toBe(true);
    expect(validate(updateTokenSchema, { validTo: null }).ok).toBe(true);
  });

  it('still checks each field', () => {
    expect(errorsOf(validate(updateTokenSchema, { name: '' }))['name']).toBe('Name is required');
    expect(errorsOf(validate(updateTokenSchema, { blockedIps: ['x'] }))['blockedIps.0']).toBe(
      '"x" is not a valid IP address or CIDR',
    );
  });
});

describe('tokenListQuerySchema', () => {
  it('coerces query strings and fills defaults', () => {
    expect(validate(tokenListQuerySchema, {})).toEqual({
      ok: true,
      value: { page: 1, pageSize: 20 },
    });
    expect(
      validate(tokenListQuerySchema, {
        page: '3',
        pageSize: '50',
        status: 'expired',
        sort: '-validTo',
      }),
    ).toEqual({
      ok: true,
      value: { page: 3, pageSize: 50, status: 'expired', sort: '-validTo' },
    });
  });

  it('names bad paging, status and sort values', () => {
    const errors = errorsOf(
      validate(tokenListQuerySchema, {
        page: '0',
        pageSize: '101',
        status: 'dead',
        sort: 'secret',
      }),
    );
    expect(errors['page']).toBe('page must be at least 1');
    expect(errors['pageSize']).toBe('pageSize must be at most 100');
    expect(errors['status']).toContain(
      'status must be one of revoked, inactive, pending, expired, active',
    );
    expect(errors['sort']).toContain('sort must be one of');
    expect(errorsOf(validate(tokenListQuerySchema, { page: 'abc' }))['page']).toBe(
      'page must be a number',
    );
    expect(errorsOf(validate(tokenListQuerySchema, { page: '1.5' }))['page']).toBe(
      'page must be a whole number',
    );
  });
});

describe('regenerateTokenSchema', () => {
  it('defaults the grace period to 0 and caps it at a day', () => {
    expect(validate(regenerateTokenSchema, {})).toEqual({ ok: true, value: { graceSeconds: 0 } });
    expect(validate(regenerateTokenSchema, { graceSeconds: 86400 }).ok).toBe(true);
    expect(errorsOf(validate(regenerateTokenSchema, { graceSeconds: 86401 }))['graceSeconds']).toBe(
      'graceSeconds must be at most 86400',
    );
    expect(errorsOf(validate(regenerateTokenSchema, { graceSeconds: -1 }))['graceSeconds']).toBe(
      'graceSeconds must be at least 0',
    );
  });
});

describe('role schemas', () => {
  it('needs a name and at least one valid permission', () => {
    expect(validate(createRoleSchema, { name: 'Auditors', permissions: ['audit:read'] }).ok).toBe(
      true,
    );
    expect(
      errorsOf(validate(createRoleSchema, { name: 'R', permissions: [] }))['permissions'],
    ).toBe('A role needs at least one permission');
    expect(
      errorsOf(validate(createRoleSchema, { name: 'R', permissions: ['audit'] }))['permissions.0'],
    ).toContain('"audit" is not a valid permission');
  });

  it('lets an update change any one field', () => {
    expect(validate(updateRoleSchema, { description: 'new' }).ok).toBe(true);
    expect(validate(updateRoleSchema, { permissions: [] }).ok).toBe(false);
  });
});

describe('user and login schemas', () => {
  const user = {
    email: ' Ada@Example.COM ',
    displayName: 'Ada',
    password: 'correct horse battery',
    roleId: ROLE_ID,
  };

  it('accepts a user and lower-cases the email', () => {
    const r = validate(createUserSchema, user);
    expect(r.ok && r.value.email).toBe('ada@example.com');
  });

  it('names a bad email, short password and bad role id', () => {
    const errors = errorsOf(
      validate(createUserSchema, { ...user, email: 'nope', password: 'short', roleId: 'x' }),
    );
    expect(errors['email']).toBe('Email must be a valid email address');
    expect(errors['password']).toBe('Password must be at least 12 characters');
    expect(errors['roleId']).toBe('roleId must be a UUID');
  });

  it('lets an update change active or the password alone', () => {
    expect(validate(updateUserSchema, { active: false }).ok).toBe(true);
    expect(errorsOf(validate(updateUserSchema, { active: 'no' }))['active']).toBe(
      'active must be true or false',
    );
  });

  it('takes any non-empty password at login', () => {
    expect(validate(loginSchema, { email: 'a@b.co', password: 'x' }).ok).toBe(true);
    expect(errorsOf(validate(loginSchema, { email: 'a@b.co', password: '' }))['password']).toBe(
      'Password is required',
    );
  });

  it('creates an organization with its first admin', () => {
    expect(
      validate(createOrganizationSchema, { name: 'Acme', adminEmail: 'root@acme.test' }).ok,
    ).toBe(true);
    expect(errorsOf(validate(createOrganizationSchema, { name: 'Acme' }))['adminEmail']).toBe(
      'Email must be a string',
    );
  });
});

describe('changePasswordSchema', () => {
  it('holds the new password to the rule a new user\'s password follows', () => {
    const weak = 'x'.repeat(LIMITS.passwordMin - 1);
    expect(errorsOf(validate(changePasswordSchema, { currentPassword: 'old', newPassword: weak }))['newPassword']).toBe(
      errorsOf(validate(createUserSchema, { email: 'a@b.co', displayName: 'A', password: weak, roleId: ROLE_ID }))['password'],
    );
    expect(validate(changePasswordSchema, { currentPassword: 'old', newPassword: 'y'.repeat(LIMITS.passwordMin) }).ok).toBe(true);
  });

  it('names each missing field and refuses the current password as the new one', () => {
    const errors = errorsOf(validate(changePasswordSchema, {}));
    expect(errors['currentPassword']).toBe('Current password must be a string');
    expect(errors['newPassword']).toBe('Password must be a string');
    const same = 'the-same-password-123';
    expect(errorsOf(validate(changePasswordSchema, { currentPassword: same, newPassword: same }))['newPassword']).toBe(
      'New password must differ from the current one',
    );
  });

  it('accepts exactly the new passwords a new user may have (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: LIMITS.passwordMax + 20 }), (pw) => {
        const asNew = validate(changePasswordSchema, { currentPassword: `not ${pw}`, newPassword: pw }).ok;
        const asCreated = validate(createUserSchema, { email: 'a@b.co', displayName: 'A', password: pw, roleId: ROLE_ID }).ok;
        expect(asNew).toBe(asCreated);
      }),
    );
  });

  it('takes no other field', () => {
    expect(
      validate(changePasswordSchema, { currentPassword: 'old', newPassword: 'y'.repeat(LIMITS.passwordMin), userId: ROLE_ID }).ok,
    ).toBe(false);
  });
});

describe('ipAllowlistSchema', () => {
  it('accepts entries with notes and a force flag', () => {
    expect(
      validate(ipAllowlistSchema, {
        entries: [{ cidr: '10.0.0.0/8', note: 'office' }, { cidr: '::1' }],
        force: true,
      }).ok,
    ).toBe(true);
    expect(validate(ipAllowlistSchema, { entries: [] }).ok).toBe(true);
  });

  it('names the bad entry', () => {
    const errors = errorsOf(
      validate(ipAllowlistSchema, {
        entries: [{ cidr: '10.0.0.0/8' }, { cidr: '10.0.0.1/8', note: 'n'.repeat(201) }],
      }),
    );
    expect(errors['entries.1.cidr']).toBe(
      '"10.0.0.1/8" is not a valid IP address or CIDR (host bits set)',
    );
    expect(errors['entries.1.note']).toBe('note must be at most 200 characters');
  });
});

describe('auditQuerySchema', () => {
  it('accepts filters and paging', () => {
    expect(
      validate(auditQuerySchema, {
        outcome: 'failure',
        from: '2030-01-01T00:00:00Z',
        action: 'token.create',
        page: '2',
      }),
    ).toEqual({
      ok: true,
      value: {
        outcome: 'failure',
        from: '2030-01-01T00:00:00Z',
        action: 'token.create',
        page: 2,
        pageSize: 20,
      },
    });
    expect(errorsOf(validate(auditQuerySchema, { outcome: 'maybe' }))['outcome']).toBe(
      'outcome must be success or failure',
    );
  });
});

describe('explainRequestSchema', () => {
  it('accepts a request and upper-cases the method', () => {
    const r = validate(explainRequestSchema, {
      tokenId: ROLE_ID,
      method: 'get',
      path: '/api/v1/tokens',
      ip: '::ffff:10.0.0.1',
      origin: null,
      permission: 'tokens:read',
    });
    expect(r.ok && r.value.method).toBe('GET');
  });

  it('names bad ip, method, path and permission', () => {
    const errors = errorsOf(
      validate(explainRequestSchema, {
        tokenId: ROLE_ID,
        method: 'FETCH',
        path: 'tokens',
        ip: '10.0.0.0/8',
        permission: 'x',
      }),
    );
    expect(Object.keys(errors).sort()).toEqual(['ip', 'method', 'path', 'permission']);
  });
});

describe('introspectSchema', () => {
  it('takes a token and an optional hint', () => {
    expect(validate(introspectSchema, { token: 'tsr_x', token_type_hint: 'access_token' }).ok).toBe(
      true,
    );
    expect(validate(introspectSchema, {}).ok).toBe(false);
  });
});
