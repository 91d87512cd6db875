// Seeds the bench database: 10 organizations (the first-start "Default" plus 9 made through
// POST /api/v1/organizations) and N tokens spread evenly over them, written straight into the
// schema the api's migration created (multi-row INSERT … SELECT FROM unnest, 5 000 rows a query).
// Secrets are generated in the domain format and only their SHA-256 is stored, as the api does.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { call, expectStatus } from './http.mjs';
import { generateSecret, hashSecret, hintOf } from './secrets.mjs';

export const ADMIN = { email: 'admin@bench.local', password: 'bench-admin-password-1' };
export const ORGANIZATIONS = 10;
/** The admin of the one organization seeded with 100 000 tokens of its own (list over 100 000). */
export const BIG_ADMIN = { email: 'big-admin@bench.local', password: 'bench-big-org-password-1' };
const BIG_ORG = 'Bench Big Org';

const NOUNS = [
  'billing', 'payments', 'search', 'reports', 'mobile', 'webhook', 'deploy', 'backup', 'metrics', 'export',
  'import', 'ledger', 'invoice', 'catalog', 'shipping', 'support', 'crm', 'analytics', 'gateway', 'scheduler',
];
const ADJECTIVES = ['prod', 'staging', 'ci', 'nightly', 'partner', 'internal', 'legacy', 'readonly', 'edge', 'batch'];
/** Words the token-list probe searches for. */
export const SEARCH_WORDS = NOUNS;

const DAY = 86_400_000;

function pick(list, i) {
  return list[i % list.length];
}

/** A deterministic scramble of i, so names do not line up with the status mix (i % 20). */
function mix(i) {
  return (Math.imul(i + 1, 2654435761) >>> 0) >>> 7;
}

function arrayLiteral(values) {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/**
 * Status and rules of the i-th token of an organization (deterministic, so the mix is the same in
 * every run): 1 in 20 revoked, inactive, expired and pending each, the rest active; a fifth of
 * them with IP rules, a fifth with endpoint rules, a fifth allowed only from 10.0.0.0/8.
 */
function shapeOf(i, now) {
  const kind = i % 20;
  const shape = {
    active: kind !== 1 && kind !== 0,
    revokedAt: kind === 0 ? new Date(now - (i % 300) * DAY) : null,
    validFrom: kind === 3 ? new Date(now + 30 * DAY) : null,
    validTo: kind === 0 ? new Date(now - (i % 300) * DAY) : kind === 2 ? new Date(now - (1 + (i % 200)) * DAY) : i % 3 === 0 ? new Date(now + (30 + (i % 300)) * DAY) : null,
    allowedIps: [],
    blockedIps: [],
    allowedEndpoints: [],
    usable: kind >= 4, // answers 200 to GET /auth/me from 127.0.0.1
  };
  const rule = Math.floor(i / 20) % 5;
  if (rule === 0) {
    shape.allowedIps = ['127.0.0.0/8', '10.0.0.0/8', '2001:db8::/32'];
    shape.blockedIps = ['192.0.2.0/24'];
  } else if (rule === 1) {
    shape.allowedEndpoints = ['GET /api/v1/auth/me', 'GET /api/v1/tokens/**'];
  } else if (rule === 2) {
    shape.allowedIps = ['10.0.0.0/8'];
    shape.usable = false;
  }
  return shape;
}

/**
 * Creates the 9 further organizations and the big one through the api and returns ids, roles and
 * admins of all 11 (`big: true` on the big one).
 */
export async function seedOrganizations(base, adminToken, db) {
  await expectStatus(
    call(base, 'POST', '/api/v1/organizations', {
      token: adminToken,
      body: { name: BIG_ORG, adminEmail: BIG_ADMIN.email, adminPassword: BIG_ADMIN.password },
    }),
    201,
    'POST /organizations (big)',
  );
  for (let n = 2; n <= ORGANIZATIONS; n++) {
    await expectStatus(
      call(base, 'POST', '/api/v1/organizations', {
        token: adminToken,
        body: { name: `Bench Org ${n}`, adminEmail: `admin${n}@bench.local`, adminPassword: `bench-org-password-${n}` },
      }),
      201,
      `POST /organizations (${n})`,
    );
  }
  const { rows: orgs } = await db.query('SELECT id, name, is_root FROM organizations ORDER BY is_root DESC, name');
  const { rows: roles } = await db.query('SELECT id, organization_id, permissions FROM roles WHERE built_in');
  const { rows: users } = await db.query('SELECT id, organization_id, display_name FROM users');
  return orgs.map((o) => ({
    id: o.id,
    name: o.name,
    isRoot: o.is_root,
    big: o.name === BIG_ORG,
    allRole: roles.find((r) => r.organization_id === o.id && r.permissions.includes('*:*'))?.id,
    readRole: roles.find((r) => r.organization_id === o.id && r.permissions.includes('*:read'))?.id,
    admin: users.find((u) => u.organization_id === o.id),
  }));
}

/**
 * Inserts `total` tokens spread over the organizations. Returns plaintext secrets of a sample of
 * usable tokens (`sampleSize`, taken evenly from every organization) and of `trialCount` plain
 * active tokens of the first organization reserved for the revoke trials.
 */
export async function seedTokens(db, orgs, { total, sampleSize, trialCount, log }) {
  const now = Date.now();
  const perOrg = Math.ceil(total / orgs.length);
  const samplePerOrg = Math.ceil(sampleSize / orgs.length);
  const sample = [];
  const trials = [];
  const batch = 5_000;
  let inserted = 0;
  const started = Date.now();

  for (const [o, org] of orgs.entries()) {
    const count = Math.min(perOrg, total - inserted);
    let sampled = 0;
    for (let from = 0; from < count; from += batch) {
      const cols = Array.from({ length: 20 }, () => []);
      for (let i = from; i < Math.min(count, from + batch); i++) {
        const secret = generateSecret('tsr');
        const shape = shapeOf(i, now);
        const id = randomUUID();
        const isTrial = o === 0 && trials.length < trialCount && shape.usable && shape.allowedIps.length === 0 && shape.allowedEndpoints.length === 0 && shape.validTo === null;
        if (isTrial) trials.push({ id, secret });
        else if (shape.usable && sampled < samplePerOrg && i % 3 !== 1) {
          sample.push(secret);
          sampled++;
        }
        const roleKind = i % 4;
        const roleId = roleKind === 0 ? org.allRole : roleKind === 1 ? org.readRole : null;
        const scopes = roleId ? (i % 8 === 0 ? ['tokens:introspect'] : []) : ['tokens:read', 'roles:read', 'audit:read'];
        const createdAt = new Date(now - (1 + ((i * 7919) % 365)) * DAY - (i % 1000) * 1000);
        const used = i % 10 < 7;
        const row = [
          id,
          org.id,
          `${pick(NOUNS, mix(i))}-${pick(ADJECTIVES, mix(i + 7))}-${i}`,
          roleId,
          arrayLiteral(scopes),
          arrayLiteral(shape.allowedIps),
          arrayLiteral(shape.blockedIps),
          arrayLiteral(shape.allowedEndpoints),
          shape.validFrom?.toISOString() ?? null,
          shape.validTo?.toISOString() ?? null,
          shape.active,
          shape.revokedAt?.toISOString() ?? null,
          hashSecret(secret),
          hintOf(secret),
          createdAt.toISOString(),
          org.admin.id,
          org.admin.display_name,
          used ? new Date(now - ((i * 104729) % (30 * DAY))).toISOString() : null,
          used ? `10.${i % 256}.${(i >> 8) % 256}.${(i * 7) % 256}` : null,
          used ? (i * 31) % 10_000 : 0,
        ];
        row.forEach((v, c) => cols[c].push(v));
      }
      await db.query(
        `INSERT INTO tokens (id, organization_id, name, role_id, scopes, allowed_ips, blocked_ips, allowed_endpoints,
                             valid_from, valid_to, active, revoked_at, secret_hash, hint, created_at, updated_at,
                             created_by_kind, created_by_id, created_by_name, last_used_at, last_used_ip, use_count)
         SELECT id, org, name, role, scopes::text[], aips::text[], bips::text[], aeps::text[], vf, vt, active, revoked,
                hash, hint, created, created, 'user', creator, creator_name, lu, luip, uc
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[],
                       $9::timestamptz[], $10::timestamptz[], $11::bool[], $12::timestamptz[], $13::text[], $14::text[],
                       $15::timestamptz[], $16::uuid[], $17::text[], $18::timestamptz[], $19::text[], $20::int8[])
             AS v(id, org, name, role, scopes, aips, bips, aeps, vf, vt, active, revoked, hash, hint, created, creator,
                  creator_name, lu, luip, uc)`,
        cols,
      );
      inserted += cols[0].length;
    }
  }
  await db.query('ANALYZE');
  log(`seeded ${inserted} tokens in ${orgs.length} organizations in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { sample, trials };
}

export async function connect(url) {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  return db;
}
