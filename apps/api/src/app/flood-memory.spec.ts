import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { generateTokenSecret } from '@tessera/domain';
import { Client } from 'pg';
import { type ApiProcess, startApiProcess } from '../cli/testing/processes';
import { createTestDatabase } from '../testing/test-app';

/**
 * Issue 16: the api's memory has a stated bound (docs/operations.md "Memory"). A running api (a
 * child process on a real PostgreSQL, so its RSS is its own) is flooded with unique well-formed
 * secrets that match nothing, from rotating addresses (X-Forwarded-For under TRUST_PROXY), long
 * enough to fill every bound the flood can reach: the verification cache's unknown secrets and
 * the failure counters (AUTH_TRACKED_KEYS, lowered here so that a short flood fills them 4 times
 * over) and the summary windows (500 networks, each request from a new /24). Its RSS must stay
 * under the documented formula for those bounds:
 *
 *   RSS ≤ RSS at start + AUTH_TRACKED_KEYS × 0.81 KiB + 600 windows × 2.4 KiB
 *         + rows of one flush + connections × 64 KiB + 64 MiB (V8 heap growth and GC slack)
 */
const TRACKED_KEYS = 500;
const REQUESTS = 4 * TRACKED_KEYS;
const CONNECTIONS = 20;
const KIB = 1024;
const MIB = 1024 * KIB;

/** Resident set size of a process, in bytes (Linux /proc). */
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) * KIB;
}

/** The bound of docs/operations.md for the lowered key count, above the RSS at start. */
function statedGrowth(trackedKeys: number, connections: number): number {
  const perKey = 0.2 * KIB + 0.15 * KIB + 0.46 * KIB; // unknown secret + address bucket + account
  const windows = 600 * 2.4 * KIB; // 500 networks + 100 overflow keys, with their summary rows
  const flushRows = 1_000 * 2.1 * KIB; // rows written at once within one flush interval
  return trackedKeys * perKey + windows + flushRows + connections * 64 * KIB + 64 * MIB;
}

let address = 0;
/** A new address of a new /24 every time (1.0.0.1, 1.0.1.1, … within the unicast range). */
function nextAddress(): string {
  const n = address++;
  return `${1 + ((n >> 16) % 223)}.${(n >> 8) & 0xff}.${n & 0xff}.1`;
}

function get(url: string, agent: Agent, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/v1/auth/me`, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('memory under a flood of unknown secrets (a running api, real PostgreSQL)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: ApiProcess | null = null;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  it('refuses every request and keeps its RSS under the stated bound once every bound is full', async () => {
    api = await startApiProcess({
      DATABASE_URL: database.url,
      DATABASE_RUNTIME_URL: database.runtimeUrl,
      TRUST_PROXY: 'loopback',
      AUTH_TRACKED_KEYS: String(TRACKED_KEYS),
      LOG_LEVEL: 'warn',
    });
    const { url, pid } = api;
    const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const statuses = new Map<number, number>();
    let peak = 0;
    const flood = async (count: number): Promise<void> => {
      let left = count;
      const worker = async (): Promise<void> => {
        while (left-- > 0) {
          const status = await get(url, agent, { authorization: `Bearer ${generateTokenSecret()}`, 'x-forwarded-for': nextAddress() });
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (left % 200 === 0) peak = Math.max(peak, rssOf(pid));
        }
      };
      await Promise.all(Array.from({ length: CONNECTIONS }, worker));
    };
    try {
      // Warm up (code paths compiled, pools open), then the RSS at start.
      await flood(300);
      const start = rssOf(pid);
      await flood(REQUESTS);
      peak = Math.max(peak, rssOf(pid));

      // 401 for every secret; on a saturated machine a lookup may find no pooled connection in
      // time, which is answered 503 + Retry-After (database unavailable), never 200 or 500.
      expect([...statuses.keys()].filter((s) => s !== 401 && s !== 503)).toEqual([]);
      expect(statuses.get(401)).toBeGreaterThan(REQUESTS / 2);
      const bound = start + statedGrowth(TRACKED_KEYS, CONNECTIONS);
      // Numbers for whoever reads the log of a failure: what the bound allowed and what was used.
      const figures = { startMiB: Math.round(start / MIB), peakMiB: Math.round(peak / MIB), boundMiB: Math.round(bound / MIB) };
      expect({ ...figures, underBound: peak <= bound }).toEqual({ ...figures, underBound: true });
    } finally {
      agent.destroy();
      await api.stop();
      api = null;
    }

    // The flood is in the audit log as counts: every refusal once, in far fewer rows.
    const db = new Client({ connectionString: database.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ rows: number; events: number }>(
        "SELECT count(*)::int AS rows, sum(count)::int AS events FROM audit_events WHERE action = 'auth.denied'",
      );
      expect(rows[0]?.events).toBe(statuses.get(401));
      expect(rows[0]?.rows).toBeLessThan((REQUESTS + 300) / 2);
    } finally {
      await db.end();
    }
  }, 240_000);
});
