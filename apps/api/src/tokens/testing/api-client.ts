import type { Test } from 'supertest';
import type { TestApp } from '../../testing/test-app';

export const BASE = '/api/v1';

/** Requests to /api/v1 with a bearer token: `as(t, secret).get('/tokens')`. */
export function as(t: TestApp, bearer: string) {
  const auth = (req: Test): Test => req.set('Authorization', `Bearer ${bearer}`);
  return {
    get: (path: string): Test => auth(t.http.get(`${BASE}${path}`)),
    post: (path: string, body?: unknown): Test => {
      const req = auth(t.http.post(`${BASE}${path}`));
      return body === undefined ? req : req.send(body as object);
    },
    patch: (path: string, body: unknown): Test => auth(t.http.patch(`${BASE}${path}`)).send(body as object),
    put: (path: string, body: unknown): Test => auth(t.http.put(`${BASE}${path}`)).send(body as object),
    delete: (path: string): Test => auth(t.http.delete(`${BASE}${path}`)),
  };
}

export interface AuditRow {
  action: string;
  actor_kind: string | null;
  actor_id: string | null;
  target_id: string | null;
  outcome: string;
  details: Record<string, unknown>;
}

/** Audit rows of changes to a target, oldest first (refused authentications, `auth.*`, left out). */
export async function auditOf(t: TestApp, targetId: string): Promise<AuditRow[]> {
  return t.db.query(
    `SELECT action, actor_kind, actor_id, target_id, outcome, details FROM audit_events
      WHERE target_id = $1 AND action NOT LIKE 'auth.%' ORDER BY seq`,
    [targetId],
  );
}

/**
 * Feature specs deliberately refuse many requests from 127.0.0.1 (revoked tokens, wrong passwords)
 * under a fixed clock; the failure limiter (tested in auth/) would answer 429 to them after 20.
 */
export const WITHOUT_FAILURE_LIMIT = { AUTH_FAILURE_LIMIT: '100000' } as const;
