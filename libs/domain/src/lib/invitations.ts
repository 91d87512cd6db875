import { z } from 'zod';
import type { Actor, LoginResponseDto } from './dto';
import { LIMITS } from './dto';
import { isWellFormedTokenSecret } from './token-secret';

/** Prefix of invitation secrets (same format and checksum as token secrets). */
export const INVITATION_PREFIX = 'tsi';

/** An invitation link works this long after it was (re)sent (seed 001: 72 hours). */
export const INVITATION_TTL_HOURS = 72;
export const INVITATION_TTL_MS = INVITATION_TTL_HOURS * 60 * 60 * 1000;

/** Every status of an invitation. Only `pending` can be accepted; the list shows pending and expired. */
export const INVITATION_STATUSES = ['accepted', 'expired', 'pending'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/** Statuses the invitation list shows (an accepted invitation is a user now). */
export const LISTED_INVITATION_STATUSES = ['pending', 'expired'] as const satisfies readonly InvitationStatus[];

export interface InvitationStatusFields {
  acceptedAt: Date | string | null;
  expiresAt: Date | string;
}

const ms = (v: Date | string): number => (typeof v === 'string' ? Date.parse(v) : v.getTime());

/**
 * THE invitation rule: accepted is terminal; otherwise expired from `expiresAt` on (an unreadable
 * date counts as expired); else pending. Only a pending invitation's link creates a user.
 */
export function invitationStatus(inv: InvitationStatusFields, now: Date): InvitationStatus {
  if (inv.acceptedAt !== null) return 'accepted';
  const expires = ms(inv.expiresAt);
  if (!Number.isFinite(expires) || expires <= now.getTime()) return 'expired';
  return 'pending';
}

/** When a link sent at `sentAt` stops working. */
export function invitationExpiry(sentAt: Date): Date {
  return new Date(sentAt.getTime() + INVITATION_TTL_MS);
}

/** A string that could be an invitation secret (format and checksum); anything else is refused unread. */
export function isWellFormedInvitationSecret(secret: unknown): secret is string {
  return typeof secret === 'string' && isWellFormedTokenSecret(secret, INVITATION_PREFIX);
}

/** Path of the console's accept page; the secret travels in the fragment, which no server sees or logs. */
export const INVITATION_ACCEPT_PATH = '/invitations/accept';

/** The link a person opens: `${base}/invitations/accept#secret=…`. */
export function invitationLink(baseUrl: string, secret: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${INVITATION_ACCEPT_PATH}#secret=${encodeURIComponent(secret)}`;
}

/** The secret of an accept link's fragment (`#secret=…`), or null. */
export function secretFromFragment(fragment: string | null | undefined): string | null {
  const params = new URLSearchParams((fragment ?? '').replace(/^#/, ''));
  const secret = params.get('secret');
  return secret ? secret : null;
}

const emailSchema = z
  .string({ error: 'Email must be a string' })
  .trim()
  .toLowerCase()
  .max(LIMITS.emailMax, { error: `Email must be at most ${LIMITS.emailMax} characters` })
  .pipe(z.email({ error: 'Email must be a valid email address' }));

export const createInvitationSchema = z.strictObject({
  email: emailSchema,
  roleId: z.uuid({ error: 'roleId must be a UUID' }),
});

export const invitationListQuerySchema = z.strictObject({
  status: z
    .enum(LISTED_INVITATION_STATUSES, { error: `status must be one of ${LISTED_INVITATION_STATUSES.join(', ')}` })
    .optional(),
  page: z.coerce.number({ error: 'page must be a number' }).int({ error: 'page must be a whole number' }).min(1, { error: 'page must be at least 1' }).default(1),
  pageSize: z.coerce
    .number({ error: 'pageSize must be a number' })
    .int({ error: 'pageSize must be a whole number' })
    .min(1, { error: 'pageSize must be at least 1' })
    .max(LIMITS.pageSizeMax, { error: `pageSize must be at most ${LIMITS.pageSizeMax}` })
    .default(20),
});

export const acceptInvitationSchema = z.strictObject({
  secret: z.string({ error: 'secret must be a string' }).min(1, { error: 'secret is required' }).max(LIMITS.ruleMax, { error: 'secret is too long' }),
  displayName: z
    .string({ error: 'Display name must be a string' })
    .trim()
    .min(1, { error: 'Display name is required' })
    .max(LIMITS.nameMax, { error: `Display name must be at most ${LIMITS.nameMax} characters` }),
  password: z
    .string({ error: 'Password must be a string' })
    .min(LIMITS.passwordMin, { error: `Password must be at least ${LIMITS.passwordMin} characters` })
    .max(LIMITS.passwordMax, { error: `Password must be at most ${LIMITS.passwordMax} characters` }),
});

export type CreateInvitationInput = z.infer<typeof createInvitationSchema>;
export type InvitationListQuery = z.infer<typeof invitationListQuerySchema>;
export type AcceptInvitationInput = z.infer<typeof acceptInvitationSchema>;

export interface InvitationDto {
  id: string;
  email: string;
  roleId: string;
  roleName: string;
  status: InvitationStatus;
  /** When the current link stops working: 72 h after `sentAt`. */
  expiresAt: string;
  /** When the current link was made (creation or the last resend). */
  sentAt: string;
  createdAt: string;
  invitedBy: Actor;
}

/** POST invitations and POST invitations/:id/resend: the link is shown once; `emailed` when SMTP sent it. */
export interface CreatedInvitationDto {
  invitation: InvitationDto;
  link: string;
  emailed: boolean;
}

/** POST invitations/accept: the new user, logged in. */
export type AcceptedInvitationDto = LoginResponseDto;

/** What the accept page says for a 410 (seed 001's wording). */
export const BROKEN_INVITATION_MESSAGE = 'This invitation link is broken';
