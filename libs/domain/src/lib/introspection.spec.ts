import { accessDenied } from './access';
import { introspectSchema, validate } from './dto';
import { introspectionDecision } from './introspection';

describe('introspectSchema with a request to decide', () => {
  const token = 'tsr_x';

  it('accepts a plain RFC 7662 body and a described request', () => {
    expect(validate(introspectSchema, { token }).ok).toBe(true);
    const r = validate(introspectSchema, {
      token,
      method: 'GET',
      path: '/orders/7?x=1',
      ip: '2001:db8::1',
      origin: 'https://app.example.com',
      permission: 'orders:read',
    });
    expect(r.ok).toBe(true);
  });

  it('wants method, path and ip together, naming each one missing', () => {
    const r = validate(introspectSchema, { token, permission: 'orders:read' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field).sort()).toEqual(['ip', 'method', 'path']);
    const partial = validate(introspectSchema, { token, method: 'GET', path: '/x' });
    expect(partial.ok).toBe(false);
    if (!partial.ok) expect(partial.errors.map((e) => e.field)).toEqual(['ip']);
  });

  it('names every malformed field', () => {
    const r = validate(introspectSchema, {
      token,
      method: 'GET /',
      path: 'orders',
      ip: '10.0.0.300',
      permission: 'Orders',
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field).sort()).toEqual(['ip', 'method', 'path', 'permission']);
  });
});

describe('introspectionDecision', () => {
  it('keeps the answer and drops the explanation', () => {
    expect(introspectionDecision({ allowed: true, steps: [{ step: 'ip', ok: true, detail: 'x' }] })).toEqual({
      allowed: true,
    });
    const denied = introspectionDecision(accessDenied('missing_permission', 'orders:read', []));
    expect(denied).toEqual({
      allowed: false,
      status: 403,
      error: 'insufficient_scope',
      reason: 'missing_permission',
      scope: 'orders:read',
      message: 'The token lacks the permission "orders:read"',
    });
    expect(introspectionDecision(accessDenied('ip_not_allowed'))).not.toHaveProperty('scope');
  });
});
