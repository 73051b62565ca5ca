// Who may call the Token API of a project: the caller's address must be in the project's API
// whitelist (when it has one), and the x-api-key header must match one of its valid keys.
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import type { KeyCandidate } from '../keys/api-key.js';
import { TokenError } from '../tokens/token-errors.js';
import { cidrContains, checkIpv4Entry } from '../util/ipv4.js';
import { invalidApiKey, matchedKeyInConstantWork } from './same-401.js';

export interface ProjectAccess {
  status: string;
  /** The public key responses are sealed for, when the project has secure transmission on. */
  sealTo: string | null;
}

/** `::ffff:1.2.3.4` (an IPv4 peer on a dual-stack socket) is 1.2.3.4. */
export function ipv4Of(address: string): string | undefined {
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  const r = checkIpv4Entry(plain);
  return r.ok ? r.cidr : undefined;
}

export function ipAllowed(ranges: readonly string[], address: string): boolean {
  if (ranges.length === 0) return true;
  const host = ipv4Of(address);
  return host !== undefined && ranges.some((r) => cidrContains(r, host));
}

/**
 * Loads what the checks need in one statement (a row per key), then checks the key before the
 * address: an unknown project, a wrong or missing key all answer the same 401 (same-401.ts), and
 * only a caller holding the key learns that its address is outside the whitelist (403).
 */
export async function authorize(
  db: Kysely<DatabaseSchema>,
  projectId: string,
  clientIp: string,
  apiKey: string | undefined,
  now = new Date(),
  /** Called once the key is accepted, before the address is checked: the key's generation (traffic facts). */
  onKeyAccepted?: (rotation: number) => void,
): Promise<ProjectAccess> {
  type Row = {
    rotation: number | null;
    status: string;
    ranges: string[];
    seal_to: string | null;
    key_hash: Uint8Array | null;
    valid_until: Date | string | null;
  };
  const { rows } = await sql<Row>`
    select p.status, w.ranges, k.key_hash, k.valid_until, k.rotation,
      case when p.secure_transmission then p.secure_transmission_public_key end as seal_to
    from projects p
    cross join lateral (select coalesce(array_agg(cast(r.range as text)), '{}') as ranges
                        from ip_whitelist r where r.project_id = p.id and r.scope = 'api') w
    left join api_keys k on k.project_id = p.id
    where p.id = ${projectId}`.execute(db);
  const keys = rows.filter((r): r is typeof r & KeyCandidate => r.key_hash !== null);
  const key = matchedKeyInConstantWork(keys, apiKey, now);
  if (!key || !rows.length) throw invalidApiKey();
  onKeyAccepted?.(key.rotation ?? 0);
  if (!ipAllowed(rows[0].ranges, clientIp)) {
    throw new TokenError('ip_not_allowed', `${clientIp} is not in the API IP whitelist of "${projectId}"`);
  }
  return { status: rows[0].status, sealTo: rows[0].seal_to };
}

export function refuseWritesWhenClosed(access: ProjectAccess, projectId: string): void {
  if (access.status === 'CLOSE')
    throw new TokenError('project_closed', `project "${projectId}" is closed (CLOSE); token writes are refused`);
}
