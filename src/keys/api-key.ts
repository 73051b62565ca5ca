// Project API keys. Material is generated at apply (32 random bytes, base64url, prefix argos_),
// stored as a SHA-256 hash and a short fingerprint, and sealed with the master key until it is
// revealed once. A rotation keeps the previous key valid for a while; removing the setting
// deletes (revokes) every key. Requests are checked by hash with a constant-time comparison.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { GuardError, UserError } from '../errors.js';
import type { DatabaseSchema } from '../db/schema.js';
import { open, seal } from './seal.js';
import { apiKeyLabel as sealLabel } from './sealed-columns.js';
import { recordReveal } from './record-reveal.js';

type Tx = Transaction<DatabaseSchema>;
export const API_KEY_PREFIX = 'argos_';

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Safe to show: names a key without helping anyone guess it. */
export function fingerprintOf(hash: Uint8Array): string {
  return `sha256:${Buffer.from(hash).toString('hex').slice(0, 12)}`;
}

/** Issues the key for `rotation` (or revokes all keys when rotation is null), in the apply transaction. */
export async function syncApiKey(
  tx: Tx,
  projectId: string,
  rotation: number | null,
  previousValidSeconds: number | null,
  masterKey: () => Buffer,
): Promise<void> {
  if (rotation === null) {
    // Revoked keys serve no one; their reveals stay in key_reveals.
    await tx.deleteFrom('api_keys').where('project_id', '=', projectId).execute();
    return;
  }
  const grace = previousValidSeconds ?? 86_400;
  // The previous keys: still valid for the grace period; only the newest key can be revealed.
  await tx
    .updateTable('api_keys')
    .set({
      valid_until: sql`least(coalesce(valid_until, 'infinity'), now() + make_interval(secs => ${grace}))` as never,
      sealed: null,
    })
    .where('project_id', '=', projectId)
    .execute();
  await tx.deleteFrom('api_keys').where('project_id', '=', projectId).where('rotation', '=', rotation).execute();
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const hash = hashApiKey(key);
  await tx
    .insertInto('api_keys')
    .values({
      project_id: projectId,
      rotation,
      key_hash: hash,
      fingerprint: fingerprintOf(hash),
      sealed: seal(masterKey(), Buffer.from(key, 'utf8'), sealLabel(projectId, rotation)),
    })
    .execute();
}

export interface KeyCandidate {
  key_hash: Uint8Array;
  valid_until: Date | string | null;
}

/** True when `presented` matches one of the keys still valid at `now` (hash compared in constant time). */
export function apiKeyMatches(candidates: readonly KeyCandidate[], presented: string | undefined, now: Date): boolean {
  return matchingApiKey(candidates, presented, now) !== undefined;
}

/** The key still valid at `now` that `presented` is (every candidate compared, in constant time). */
export function matchingApiKey<K extends KeyCandidate>(
  candidates: readonly K[],
  presented: string | undefined,
  now: Date,
  /** hashApiKey(presented), when the caller has it already. */
  presentedHash?: Buffer,
): K | undefined {
  if (!presented) return undefined;
  const hash = presentedHash ?? hashApiKey(presented);
  let found: K | undefined;
  for (const c of candidates) {
    const valid = c.valid_until === null || new Date(c.valid_until) > now;
    const same = c.key_hash.length === 32 && timingSafeEqual(hash, Buffer.from(c.key_hash));
    if (valid && same) found = c;
  }
  return found;
}

export interface KeyInfo {
  rotation: number;
  fingerprint: string;
  createdAt: string;
  validUntil: string | null;
  revealed: { at: string; by: string } | null;
  revealable: boolean;
}

export async function listApiKeys(db: Kysely<DatabaseSchema>, projectId: string): Promise<KeyInfo[]> {
  const rows = await db
    .selectFrom('api_keys')
    .select([
      'rotation',
      'fingerprint',
      'created_at',
      'valid_until',
      'revealed_at',
      'revealed_by',
      sql<boolean>`sealed is not null`.as('revealable'),
    ])
    .where('project_id', '=', projectId)
    .orderBy('rotation')
    .execute();
  return rows.map((r) => ({
    rotation: r.rotation,
    fingerprint: r.fingerprint,
    createdAt: new Date(r.created_at).toISOString(),
    validUntil: r.valid_until ? new Date(r.valid_until).toISOString() : null,
    revealed: r.revealed_at ? { at: new Date(r.revealed_at).toISOString(), by: r.revealed_by ?? '' } : null,
    revealable: r.revealable,
  }));
}

/** Opens the newest key's sealed copy, destroys it and records who revealed it: it works once. */
export async function revealApiKey(
  db: Kysely<DatabaseSchema>,
  projectId: string,
  actor: string,
  masterKey: () => Buffer,
): Promise<{ key: string; rotation: number; fingerprint: string }> {
  return db.transaction().execute(async (tx) => {
    const project = await tx
      .selectFrom('projects')
      .select(['api_key_rotation'])
      .where('id', '=', projectId)
      .executeTakeFirst();
    if (!project) throw new UserError(`project "${projectId}" does not exist`);
    if (project.api_key_rotation === null)
      throw new UserError(
        `project "${projectId}" has no API key`,
        'declare spec.security.apiKey: {rotation: 1} and apply',
      );
    const row = await tx
      .selectFrom('api_keys')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('rotation', '=', project.api_key_rotation)
      .forUpdate()
      .executeTakeFirst();
    if (!row?.sealed) {
      const when = row?.revealed_at ? ` at ${new Date(row.revealed_at).toISOString()} by ${row.revealed_by}` : '';
      throw new GuardError(
        `the API key of "${projectId}" (rotation ${project.api_key_rotation}) was already revealed${when}; it is shown only once`,
        `bump spec.security.apiKey.rotation to ${project.api_key_rotation + 1} and apply to issue a new key`,
      );
    }
    const key = open(masterKey(), row.sealed, sealLabel(projectId, row.rotation)).toString('utf8');
    await tx
      .updateTable('api_keys')
      .set({ sealed: null, revealed_at: sql`now()` as never, revealed_by: actor })
      .where('project_id', '=', projectId)
      .where('rotation', '=', row.rotation)
      .execute();
    await recordReveal(tx, {
      projectId,
      secret: 'api-key',
      rotation: row.rotation,
      fingerprint: row.fingerprint,
      actor,
    });
    return { key, rotation: row.rotation, fingerprint: row.fingerprint };
  });
}
