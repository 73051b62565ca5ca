// Who may call the Token API of a project: the caller's address must be in the project's API
// whitelist (when it has one), and the x-api-key header must match one of its valid keys.
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { apiKeyMatches, type KeyCandidate } from '../keys/api-key.js';
import { TokenError } from '../tokens/token-errors.js';
import { cidrContains, checkIpv4Entry } from '../util/ipv4.js';

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

/** Loads what the checks need in two small queries, then checks address before key. */
export async function authorize(db: Kysely<DatabaseSchema>, projectId: string, clientIp: string, apiKey: string | undefined, now = new Date()): Promise<ProjectAccess> {
  const [project, ranges, keys] = await Promise.all([
    db.selectFrom('projects').select(['status', 'secure_transmission', 'secure_transmission_public_key'])
      .where('id', '=', projectId).executeTakeFirst(),
    db.selectFrom('ip_whitelist').select((eb) => eb.cast<string>('range', 'text').as('range')).where('project_id', '=', projectId).where('scope', '=', 'api').execute(),
    db.selectFrom('api_keys').select(['key_hash', 'valid_until']).where('project_id', '=', projectId).execute() as Promise<KeyCandidate[]>,
  ]);
  if (!project) throw new TokenError('invalid_project', `project "${projectId}" does not exist`);
  if (!ipAllowed(ranges.map((r) => r.range), clientIp)) throw new TokenError('ip_not_allowed', `${clientIp} is not in the API IP whitelist of "${projectId}"`);
  if (!apiKeyMatches(keys, apiKey, now)) throw new TokenError('invalid_api_key', apiKey ? 'the x-api-key header does not match a valid key of this project' : 'the x-api-key header is missing');
  const sealTo = project.secure_transmission ? project.secure_transmission_public_key : null;
  return { status: project.status, sealTo };
}

export function refuseWritesWhenClosed(access: ProjectAccess, projectId: string): void {
  if (access.status === 'CLOSE') throw new TokenError('project_closed', `project "${projectId}" is closed (CLOSE); token writes are refused`);
}
