import * as domain from './index';

describe('@tessera/domain', () => {
  it.each([
    'generateTokenSecret',
    'isWellFormedTokenSecret',
    'tokenHint',
    'isValidIp',
    'isValidIpRule',
    'normalizeIpRule',
    'createIpMatcher',
    'ipRulesCover',
    'isValidPermission',
    'permissionGrants',
    'permissionsCover',
    'compilePermissions',
    'isValidEndpointRule',
    'endpointRuleMatches',
    'createEndpointMatcher',
    'isValidOriginRule',
    'originRuleMatches',
    'createOriginMatcher',
    'tokenStatus',
    'isTokenStatus',
    'effectivePermissions',
    'presentedStatus',
    'compileAccessRules',
    'decideAccess',
    'validate',
  ])('exports the function %s', (name) => {
    expect(typeof (domain as Record<string, unknown>)[name]).toBe('function');
  });

  it.each([
    'TOKEN_PREFIX',
    'SESSION_PREFIX',
    'READ_ACTIONS',
    'BUILTIN_RESOURCES',
    'BUILTIN_ROLES',
    'HTTP_METHODS',
    'TOKEN_STATUSES',
    'TOKEN_STATUS_RULE',
    'DENY_REASONS',
    'LIMITS',
    'createTokenSchema',
    'updateTokenSchema',
    'tokenListQuerySchema',
    'regenerateTokenSchema',
    'createRoleSchema',
    'updateRoleSchema',
    'createUserSchema',
    'updateUserSchema',
    'loginSchema',
    'createOrganizationSchema',
    'ipAllowlistSchema',
    'auditQuerySchema',
    'explainRequestSchema',
    'introspectSchema',
  ])('exports the value %s', (name) => {
    expect((domain as Record<string, unknown>)[name]).toBeDefined();
  });
});
