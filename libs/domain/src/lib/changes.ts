import { z } from 'zod';

/**
 * The change stream (`GET /api/v1/changes`, Server-Sent Events, permission `changes:read`): what
 * another service needs to keep a cache of Tessera's answers exact. Ids only, never a secret.
 */

/**
 * What changed: a token (any edit, deactivate/activate, revoke, regenerate, delete), a role (its
 * permissions reach every token holding it) or the organization's IP allowlist (`id` is then the
 * organization id).
 */
export const CHANGE_EVENT_KINDS = ['token', 'role', 'allowlist'] as const;
export type ChangeEventKind = (typeof CHANGE_EVENT_KINDS)[number];

/** `event: change`: data of one change of the caller's organization. */
export interface ChangeEventDto {
  kind: ChangeEventKind;
  id: string;
  /** The organization (always the stream's own). */
  org: string;
}

/**
 * The SSE event names. Every stream starts with `ready`.
 * - `ready`: `{org, resumed, heartbeatMs}`; `resumed: false` means "drop whatever you cached"
 *   (a first connection, or a Last-Event-ID this instance cannot resume from).
 * - `change`: a ChangeEventDto.
 * - `reset`: `{reason}`: drop every cached answer; the stream goes on.
 */
export const CHANGE_STREAM_EVENTS = ['ready', 'change', 'reset'] as const;
export type ChangeStreamEventName = (typeof CHANGE_STREAM_EVENTS)[number];

export interface ChangeStreamReady {
  org: string;
  resumed: boolean;
  /** A comment line (`: ping`) comes at least this often; silence longer than that means a dead stream. */
  heartbeatMs: number;
}

export interface ChangeStreamReset {
  reason: string;
}

export const CHANGE_STREAM_LIMITS = {
  heartbeatMinMs: 250,
  heartbeatMaxMs: 60_000,
  heartbeatDefaultMs: 15_000,
} as const;

/** `GET /changes?heartbeat=<ms>`: how often the caller wants a heartbeat comment. */
export const changesQuerySchema = z.strictObject({
  heartbeat: z.coerce
    .number({ error: 'heartbeat must be a number of milliseconds' })
    .int({ error: 'heartbeat must be a whole number of milliseconds' })
    .min(CHANGE_STREAM_LIMITS.heartbeatMinMs, {
      error: `heartbeat must be at least ${CHANGE_STREAM_LIMITS.heartbeatMinMs} ms`,
    })
    .max(CHANGE_STREAM_LIMITS.heartbeatMaxMs, {
      error: `heartbeat must be at most ${CHANGE_STREAM_LIMITS.heartbeatMaxMs} ms`,
    })
    .default(CHANGE_STREAM_LIMITS.heartbeatDefaultMs)
    .describe('Milliseconds between heartbeat comments (default 15000)'),
});
export type ChangesQuery = z.infer<typeof changesQuerySchema>;

/**
 * An event id: `<stream generation>.<sequence>`. The generation names one unbroken run of an
 * organization's events on one api instance; the sequence grows by one per change of that
 * organization. Resuming (Last-Event-ID) is possible only within a generation.
 */
export interface ChangeEventId {
  generation: string;
  sequence: number;
}

const EVENT_ID = /^([A-Za-z0-9_-]{1,64})\.(0|[1-9][0-9]{0,15})$/;

export function formatChangeEventId(id: ChangeEventId): string {
  return `${id.generation}.${id.sequence}`;
}

/** null for anything that is not an id this format produces. */
export function parseChangeEventId(value: string | null | undefined): ChangeEventId | null {
  if (typeof value !== 'string') return null;
  const m = EVENT_ID.exec(value.trim());
  if (!m) return null;
  const sequence = Number(m[2]);
  if (!Number.isSafeInteger(sequence)) return null;
  return { generation: m[1] as string, sequence };
}
