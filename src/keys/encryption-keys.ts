// Liveform URL encryption keys: 32 random bytes issued at apply, sealed with the master key at
// rest (never stored in clear), revealed once (audited; the sealed copy stays, because serve opens
// URLs with it), identified in URLs by a key id derived from the material. A name has generations:
// `rotate: N` issues a new one; a rotated-out or retired generation keeps opening URLs until its
// `valid_until` (the project's grace period), then stops.
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { GuardError, UserError } from '../errors.js';
import type { DatabaseSchema } from '../db/schema.js';
import { open, seal } from './seal.js';
import { encryptionKeyLabel } from './sealed-columns.js';
import { recordReveal } from './record-reveal.js';

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;
export const ENCRYPTION_KEY_BYTES = 32;
export { DEFAULT_RETIRED_KEY_VALID_SECONDS as DEFAULT_RETIRED_VALID_SECONDS } from '../model/project-settings.js';

/** `sha256:` and 12 hex digits of SHA-256 of the material: names the key, helps no one guess it. */
export function keyFingerprint(material: Uint8Array): string {
  return `sha256:${createHash('sha256').update(material).digest('hex').slice(0, 12)}`;
}

/** The key id carried in encrypted URLs: the fingerprint's hex digits. */
export function keyIdOf(fingerprint: string): string {
  return fingerprint.replace(/^sha256:/, '');
}

/** A new generation's row: fresh material, sealed; a retired one never opens URLs. */
export function newKeyRow(masterKey: Buffer, projectId: string, name: string, status: string, rotation: number) {
  const material = randomBytes(ENCRYPTION_KEY_BYTES);
  return {
    project_id: projectId,
    name,
    rotation,
    status,
    fingerprint: keyFingerprint(material),
    sealed: seal(masterKey, material, encryptionKeyLabel(projectId, name, rotation)),
    valid_until: status === 'active' ? null : sql<Date>`now()`,
    retired_at: status === 'active' ? null : sql<Date>`now()`,
  };
}

/** Seals every key still stored in clear (rows from before migration 005); returns how many. */
export async function sealClearKeys(db: Db, masterKey: Buffer): Promise<number> {
  const rows = await db
    .selectFrom('encryption_keys')
    .select(['project_id', 'name', 'rotation', 'material'])
    .where('material', 'is not', null)
    .execute();
  for (const r of rows) {
    const sealed = seal(masterKey, Buffer.from(r.material!), encryptionKeyLabel(r.project_id, r.name, r.rotation));
    await db
      .updateTable('encryption_keys')
      .set({ sealed, material: null })
      .where('project_id', '=', r.project_id)
      .where('name', '=', r.name)
      .where('rotation', '=', r.rotation)
      .execute();
  }
  return rows.length;
}

export async function countClearKeys(db: Db): Promise<number> {
  const r = await db
    .selectFrom('encryption_keys')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('material', 'is not', null)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export interface EncryptionKeyInfo {
  name: string;
  rotation: number;
  status: string;
  current: boolean;
  fingerprint: string;
  keyId: string;
  createdAt: string;
  /** When it stops opening URLs (null: while it stays current and active). */
  validUntil: string | null;
  revealed: { at: string; by: string } | null;
}

const iso = (d: Date | string) => new Date(d).toISOString();

/** Every generation of every key of a project, by name then rotation; never the material. */
export async function listEncryptionKeys(db: Db, projectId: string): Promise<EncryptionKeyInfo[]> {
  const rows = await db
    .selectFrom('encryption_keys')
    .select(['name', 'rotation', 'status', 'fingerprint', 'created_at', 'valid_until', 'revealed_at', 'revealed_by'])
    .where('project_id', '=', projectId)
    .orderBy('name')
    .orderBy('rotation')
    .execute();
  const newest = new Map<string, number>();
  for (const r of rows) newest.set(r.name, Math.max(newest.get(r.name) ?? 0, r.rotation));
  return rows.map((r) => ({
    name: r.name,
    rotation: r.rotation,
    status: r.status,
    current: newest.get(r.name) === r.rotation,
    fingerprint: r.fingerprint,
    keyId: keyIdOf(r.fingerprint),
    createdAt: iso(r.created_at),
    validUntil: r.valid_until ? iso(r.valid_until) : null,
    revealed: r.revealed_at ? { at: iso(r.revealed_at), by: r.revealed_by ?? '' } : null,
  }));
}

export interface OpenedKey {
  name: string;
  rotation: number;
  keyId: string;
  fingerprint: string;
  status: string;
  material: Buffer;
}

/** Keys that open URLs at `now`: current active generations, and others inside their grace period. */
export async function openingKeys(db: Db, projectId: string, now: Date, masterKey: () => Buffer): Promise<OpenedKey[]> {
  const rows = await db
    .selectFrom('encryption_keys')
    .select(['name', 'rotation', 'status', 'fingerprint', 'sealed'])
    .where('project_id', '=', projectId)
    .where('sealed', 'is not', null)
    .where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>', now)]))
    .execute();
  if (!rows.length) return [];
  const key = masterKey();
  return rows.map((r) => ({
    name: r.name,
    rotation: r.rotation,
    keyId: keyIdOf(r.fingerprint),
    fingerprint: r.fingerprint,
    status: r.status,
    material: open(key, r.sealed!, encryptionKeyLabel(projectId, r.name, r.rotation)),
  }));
}

/** The key that encrypts new URLs: the named one, or the newest active one; current and active only. */
export async function encryptingKey(
  db: Db,
  projectId: string,
  name: string | undefined,
  masterKey: () => Buffer,
): Promise<OpenedKey> {
  const rows = await db
    .selectFrom('encryption_keys')
    .select(['name', 'rotation', 'status', 'fingerprint', 'sealed', 'created_at', 'valid_until'])
    .where('project_id', '=', projectId)
    .orderBy('created_at', 'desc')
    .orderBy('name')
    .execute();
  const newest = new Map<string, number>();
  for (const r of rows) newest.set(r.name, Math.max(newest.get(r.name) ?? 0, r.rotation));
  const usable = rows.filter(
    (r) => newest.get(r.name) === r.rotation && r.status === 'active' && r.valid_until === null && r.sealed,
  );
  const chosen = name === undefined ? usable[0] : usable.find((r) => r.name === name);
  if (!chosen) {
    const names = usable.map((r) => r.name);
    throw new UserError(
      name === undefined
        ? `project "${projectId}" has no active encryption key`
        : `"${name}" is not an active encryption key of project "${projectId}"`,
      names.length
        ? `active keys: ${names.join(', ')}`
        : 'declare one under spec.encryption.keys with status: active and apply',
    );
  }
  return {
    name: chosen.name,
    rotation: chosen.rotation,
    keyId: keyIdOf(chosen.fingerprint),
    fingerprint: chosen.fingerprint,
    status: chosen.status,
    material: open(masterKey(), chosen.sealed!, encryptionKeyLabel(projectId, chosen.name, chosen.rotation)),
  };
}

/**
 * The one reveal of a key's current generation: opens the sealed copy, records who and when (on the
 * row and in key_reveals), and refuses every later call. The sealed copy stays: serve opens URLs with it.
 */
export async function revealEncryptionKey(
  db: Kysely<DatabaseSchema>,
  projectId: string,
  name: string,
  actor: string,
  masterKey: () => Buffer,
): Promise<{ material: Buffer; rotation: number; fingerprint: string; keyId: string }> {
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('encryption_keys')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('name', '=', name)
      .orderBy('rotation', 'desc')
      .limit(1)
      .forUpdate()
      .executeTakeFirst();
    if (!row) {
      const project = await tx.selectFrom('projects').select('id').where('id', '=', projectId).executeTakeFirst();
      if (!project) throw new UserError(`project "${projectId}" does not exist`);
      throw new UserError(
        `project "${projectId}" has no encryption key "${name}"`,
        'argosctl keys list PROJECT shows its keys',
      );
    }
    if (row.revealed_at) {
      throw new GuardError(
        `encryption key "${name}" of "${projectId}" (rotation ${row.rotation}) was already revealed at ${iso(row.revealed_at)}` +
          ` by ${row.revealed_by}; it is shown only once`,
        `to get material you can see, set rotate: ${row.rotation + 1} on the key (or add a key) and apply`,
      );
    }
    if (!row.sealed)
      throw new UserError(
        `encryption key "${name}" of "${projectId}" is still stored in clear`,
        'run argosctl db migrate to seal it first',
      );
    const material = open(masterKey(), row.sealed, encryptionKeyLabel(projectId, name, row.rotation));
    await tx
      .updateTable('encryption_keys')
      .set({ revealed_at: sql<Date>`now()`, revealed_by: actor })
      .where('project_id', '=', projectId)
      .where('name', '=', name)
      .where('rotation', '=', row.rotation)
      .execute();
    await recordReveal(tx, {
      projectId,
      secret: `encryption-key:${name}`,
      rotation: row.rotation,
      fingerprint: row.fingerprint,
      actor,
    });
    return { material, rotation: row.rotation, fingerprint: row.fingerprint, keyId: keyIdOf(row.fingerprint) };
  });
}
