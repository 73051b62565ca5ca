// Who may call the Token API of a project: the caller's address must be in the project's API
// whitelist (when it has one), and the x-api-key header must match one of its valid keys.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { hashApiKey } from '../keys/api-key.js';
import { TokenError } from '../tokens/token-errors.js';
import { cidrContains, checkIpv4Entry } from '../util/ipv4.js';
import { invalidApiKey, matchedKeyInConstantWork } from './same-401.js';

export interface ProjectAccess {
  status: string;
  /** The public key responses are sealed for, when the project has secure transmission on. */
  sealTo: string | null;
}

/**
 * `::ffff:1.2.3.4` (an IPv4 peer on a dual-stack socket) is 1.2.3.4. An address, never a range: a
 * forwarded "10.0.0.0/8" would otherwise sit inside a whitelist entry of 10.0.0.0/8.
 */
export function ipv4Of(address: string): string | undefined {
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (plain.includes('/')) return undefined;
  const r = checkIpv4Entry(plain);
  return r.ok ? r.cidr : undefined;
}

export function ipAllowed(ranges: readonly string[], address: string): boolean {
  if (ranges.length === 0) return true;
  const host = ipv4Of(address);
  return host !== undefined && ranges.some((r) => cidrContains(r, host));
}

/** What the checks read about a project, as the columns of ACCESS_COLUMNS. */
export interface AccessRow {
  access_status: string;
  access_ranges: string[];
  access_seal_to: string | null;
  /** Secure transmission on: request bodies must come sealed (sealed-requests.ts). */
  access_secure_transmission: boolean;
  /** The project's keys: hash in hex, validity, generation (null for a project without keys). */
  access_keys: { key_hash: string; valid_until: string | null; rotation: number }[] | null;
}

/**
 * The columns a route's own statement adds to read, beside its data, what authorization needs
 * about the project aliased `p` (so a read route takes one round trip, not two). The keys come as
 * one JSON value, so the statement keeps one row per project whatever the number of keys.
 */
export const ACCESS_COLUMNS = sql`p.status as access_status,
  case when p.secure_transmission then p.secure_transmission_public_key end as access_seal_to,
  p.secure_transmission as access_secure_transmission,
  coalesce((select array_agg(cast(r.range as text)) from ip_whitelist r
            where r.project_id = p.id and r.scope = 'api'), '{}') as access_ranges,
  (select json_agg(json_build_object('key_hash', encode(k.key_hash, 'hex'), 'valid_until', k.valid_until,
                                     'rotation', k.rotation))
   from api_keys k where k.project_id = p.id) as access_keys`;

export interface AccessRequest {
  projectId: string;
  clientIp: string;
  apiKey: string | undefined;
  /** hashApiKey(apiKey), when computed already (a write gate hashes it once for its SQL and its check). */
  apiKeyHash?: Buffer;
  now: Date;
  /** Called once the key is accepted, before the address is checked: the key's generation (traffic facts). */
  onKeyAccepted?: (rotation: number) => void;
}

/**
 * Checks the key before the address: an unknown project (no row), a wrong or missing key all answer
 * the same 401 (same-401.ts), and only a caller holding the key learns that its address is outside
 * the whitelist (403).
 */
export function checkAccess(row: AccessRow | undefined, request: AccessRequest): ProjectAccess {
  checkKey(row, request);
  return checkAddress(row, request);
}

/** The rest of checkAccess, once the key is accepted: the API whitelist (403). */
function checkAddress(row: AccessRow, request: AccessRequest): ProjectAccess {
  if (!ipAllowed(row.access_ranges, request.clientIp)) {
    throw new TokenError(
      'ip_not_allowed',
      `${request.clientIp} is not in the API IP whitelist of "${request.projectId}"`,
    );
  }
  return { status: row.access_status, sealTo: row.access_seal_to };
}

/**
 * The key alone: the same 401 for a project that does not exist, a wrong and a missing key. Whatever
 * else a request may learn about the project (its secure transmission, its whitelist) comes after.
 */
export function checkKey(row: AccessRow | undefined, request: AccessRequest): asserts row is AccessRow {
  const keys = (row?.access_keys ?? []).map((k) => ({
    key_hash: Buffer.from(k.key_hash, 'hex'),
    valid_until: k.valid_until,
    rotation: k.rotation,
  }));
  const key = matchedKeyInConstantWork(keys, request.apiKey, request.now, request.apiKeyHash);
  if (!key || !row) throw invalidApiKey();
  request.onKeyAccepted?.(key.rotation);
}

/** `access` with its key hashed, for a write gate: its SQL and its check use the one hash. */
export function withKeyHash(access: AccessRequest): AccessRequest {
  return access.apiKey ? { ...access, apiKeyHash: hashApiKey(access.apiKey) } : access;
}

/**
 * checkAccess in SQL, over the project aliased `p`: true exactly when checkAccess passes on the row
 * ACCESS_COLUMNS reads in the same statement: a valid key of the project by its hash (its end compared
 * as the check's Date holds it: to the millisecond, and never valid from year 10000 or at infinity,
 * which a Date cannot hold), then the API whitelist on the caller's IPv4 address.
 * A write statement writes only under it (WriteGate); test/server/write-grant.test.ts holds the two
 * to the same answers.
 */
export function grantedSql(access: AccessRequest): RawBuilder<boolean> {
  const hash = access.apiKey ? (access.apiKeyHash ?? hashApiKey(access.apiKey)) : null;
  const address = ipv4Of(access.clientIp) ?? null;
  return sql<boolean>`(exists (select 1 from api_keys k where k.project_id = p.id and k.key_hash = ${hash}
      and (k.valid_until is null or (k.valid_until < '10000-01-01'
        and date_trunc('milliseconds', k.valid_until) > cast(${access.now} as timestamptz))))
    and (not exists (select 1 from ip_whitelist r where r.project_id = p.id and r.scope = 'api')
      or exists (select 1 from ip_whitelist r where r.project_id = p.id and r.scope = 'api'
                 and r.range >>= cast(${address} as inet))))`;
}

/** What authorization reads about a project, or undefined when there is no such project. */
export async function readAccessRow(db: Kysely<DatabaseSchema>, projectId: string): Promise<AccessRow | undefined> {
  const { rows } = await sql<AccessRow>`select ${ACCESS_COLUMNS} from projects p where p.id = ${projectId}`.execute(db);
  return rows[0];
}

/**
 * Rows read for a request before its body (body-gate.ts), whose key was accepted then: the route's
 * authorization checks the rest on that row instead of reading it and hashing the key again, but
 * only while it is fresh. A body may take up to --request-timeout to arrive, and a key revoked or a
 * whitelist added meanwhile must apply to it: a row older than KEYED_ROW_FRESH_MS is read again. The
 * route's own read, before, came a few milliseconds before its write too.
 */
const KEYED_ROW_FRESH_MS = 50;
const keyedBeforeRoute = new WeakMap<object, { row: AccessRow; at: number }>();

export function keepKeyedRow(request: object, row: AccessRow): void {
  keyedBeforeRoute.set(request, { row, at: performance.now() });
}

/** The row kept for this request, while fresh. */
export function keptKeyedRow(request: object): AccessRow | undefined {
  const kept = keyedBeforeRoute.get(request);
  return kept && performance.now() - kept.at <= KEYED_ROW_FRESH_MS ? kept.row : undefined;
}

/**
 * Authorization on its own round trip (or on the fresh row whose key was accepted for this request
 * before its body): for the write routes, which must not write before it.
 */
export async function authorize(
  db: Kysely<DatabaseSchema>,
  access: AccessRequest,
  request?: object,
): Promise<ProjectAccess> {
  const keyed = request && keptKeyedRow(request);
  if (keyed) return checkAddress(keyed, access);
  return checkAccess(await readAccessRow(db, access.projectId), access);
}

export function refuseWritesWhenClosed(access: ProjectAccess, projectId: string): void {
  if (access.status === 'CLOSE')
    throw new TokenError('project_closed', `project "${projectId}" is closed (CLOSE); token writes are refused`);
}
