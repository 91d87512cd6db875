import fc from 'fast-check';
import { createTokenSchema, explainRequestSchema, newTokenId, tokenIdSchema, updateTokenSchema, validate } from './dto';

describe('a proposed token id (seed 004)', () => {
  it('newTokenId gives UUIDs v4 the schema keeps, upper case read as lower case (property)', () => {
    fc.assert(
      fc.property(fc.constant(null), fc.boolean(), (_n, upper) => {
        const id = newTokenId();
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(tokenIdSchema.parse(upper ? id.toUpperCase() : id)).toBe(id);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses every UUID of another version or variant (property)', () => {
    fc.assert(
      fc.property(fc.uuid(), (id) => {
        const v4 = id[14] === '4' && /[89ab]/i.test(id[19] ?? '');
        expect(tokenIdSchema.safeParse(id).success).toBe(v4);
      }),
    );
    expect(tokenIdSchema.safeParse('my-token').success).toBe(false);
  });

  it('is accepted by create only; edit never changes an id', () => {
    const id = newTokenId();
    expect(validate(createTokenSchema, { id, name: 'x', scopes: ['tokens:read'] }).ok).toBe(true);
    const bad = validate(createTokenSchema, { id: 'a8098c1a-f86e-11da-bd1a-00112444be1e', name: 'x', scopes: ['tokens:read'] });
    expect(bad.ok ? [] : bad.errors.map((e) => e.field)).toEqual(['id']);
    const edit = validate(updateTokenSchema, { id });
    expect(edit.ok ? [] : edit.errors.map((e) => e.field)).toEqual(['id']);
  });
});

describe('explain for a draft (Test access before saving)', () => {
  const base = { method: 'GET', path: '/api/v1/tokens', ip: '127.0.0.1' };
  it('takes either a saved token id or draft rules, never both or neither', () => {
    expect(validate(explainRequestSchema, { ...base, draft: { scopes: ['tokens:read'] } }).ok).toBe(true);
    expect(validate(explainRequestSchema, { ...base, tokenId: newTokenId() }).ok).toBe(true);
    expect(validate(explainRequestSchema, { ...base, tokenId: newTokenId(), draft: {} }).ok).toBe(false);
    expect(validate(explainRequestSchema, base).ok).toBe(false);
  });

  it('checks draft rules as POST tokens does, naming the entry', () => {
    const r = validate(explainRequestSchema, { ...base, draft: { allowedIps: ['10.0.0.1/8'], allowedEndpoints: ['FETCH /x'] } });
    expect(r.ok ? [] : r.errors.map((e) => e.field).sort()).toEqual(['draft.allowedEndpoints.0', 'draft.allowedIps.0']);
  });
});
