import fc from 'fast-check';
import { generateTokenSecret } from './token-secret';
import {
  INVITATION_PREFIX,
  INVITATION_STATUSES,
  INVITATION_TTL_MS,
  acceptInvitationSchema,
  createInvitationSchema,
  invitationExpiry,
  invitationLink,
  invitationStatus,
  isWellFormedInvitationSecret,
  secretFromFragment,
} from './invitations';

const instant = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true });

describe('invitation status', () => {
  it('is pending until 72 hours after sending, expired from then on', () => {
    const sent = new Date('2026-12-01T10:00:00Z');
    const expiresAt = invitationExpiry(sent);
    expect(expiresAt.toISOString()).toBe('2026-12-04T10:00:00.000Z');
    expect(invitationStatus({ acceptedAt: null, expiresAt }, new Date(expiresAt.getTime() - 1))).toBe('pending');
    expect(invitationStatus({ acceptedAt: null, expiresAt }, expiresAt)).toBe('expired');
  });

  it('an accepted invitation is accepted forever, whatever the dates', () => {
    fc.assert(
      fc.property(instant, instant, instant, (acceptedAt, expiresAt, now) => {
        expect(invitationStatus({ acceptedAt, expiresAt }, now)).toBe('accepted');
      }),
    );
  });

  it('an unaccepted invitation is pending exactly while now is before its expiry (property)', () => {
    fc.assert(
      fc.property(instant, instant, (sent, now) => {
        const expiresAt = invitationExpiry(sent);
        const status = invitationStatus({ acceptedAt: null, expiresAt }, now);
        expect(status).toBe(now.getTime() < sent.getTime() + INVITATION_TTL_MS ? 'pending' : 'expired');
        expect(INVITATION_STATUSES).toContain(status);
      }),
    );
  });

  it('an unreadable expiry counts as expired, never as pending', () => {
    expect(invitationStatus({ acceptedAt: null, expiresAt: 'not a date' }, new Date())).toBe('expired');
  });
});

describe('invitation secrets and links', () => {
  it('accepts only well-formed tsi_ secrets (a token or session secret is not one)', () => {
    const secret = generateTokenSecret(INVITATION_PREFIX);
    expect(isWellFormedInvitationSecret(secret)).toBe(true);
    expect(isWellFormedInvitationSecret(generateTokenSecret('tsr'))).toBe(false);
    expect(isWellFormedInvitationSecret(secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A'))).toBe(false);
    expect(isWellFormedInvitationSecret(secret.toUpperCase())).toBe(false);
    expect(isWellFormedInvitationSecret(42)).toBe(false);
  });

  it('puts the secret in the fragment (never sent to a server) and reads it back (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('https://tessera.example.com', 'http://127.0.0.1:3000/', 'https://x.test/base'), (base) => {
        const secret = generateTokenSecret(INVITATION_PREFIX);
        const link = invitationLink(base, secret);
        const url = new URL(link);
        expect(url.search).toBe('');
        expect(url.pathname.endsWith('/invitations/accept')).toBe(true);
        expect(secretFromFragment(url.hash)).toBe(secret);
      }),
    );
    expect(secretFromFragment('')).toBeNull();
    expect(secretFromFragment('#other=1')).toBeNull();
  });
});

describe('invitation schemas', () => {
  it('normalises the email and names bad fields', () => {
    expect(createInvitationSchema.parse({ email: ' Ada@Example.COM ', roleId: '3f1c2a52-7c1e-4b7a-9a55-3d1f0f5b8e21' }).email).toBe('ada@example.com');
    const bad = createInvitationSchema.safeParse({ email: 'nope', roleId: 'x', admin: true });
    expect(bad.success).toBe(false);
    const accept = acceptInvitationSchema.safeParse({ secret: '', displayName: ' ', password: 'short' });
    expect(accept.success).toBe(false);
    expect(accept.error?.issues.map((i) => i.path[0])).toEqual(expect.arrayContaining(['secret', 'displayName', 'password']));
  });
});
