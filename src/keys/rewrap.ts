// `keys rewrap`: every sealed value (SEALED_COLUMNS) opened with the old master key and sealed with
// the new one, in ONE transaction: either all of them move, or none (a value the old key cannot
// open stops it all, and the database keeps working with the old key). Keys still in clear from
// before migration 005 are sealed with the new key on the way.
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { UserError } from '../errors.js';
import { sealClearKeys } from './encryption-keys.js';
import { checkedMasterKey, recordMasterKey } from './master-key-check.js';
import { open, seal } from './seal.js';
import { SEALED_COLUMNS } from './sealed-columns.js';
import { recordAuditEvent } from '../audit/record-event.js';

export interface RewrapResult {
  /** Values re-sealed per table.column. */
  rewrapped: Record<string, number>;
  /** Clear keys sealed for the first time. */
  sealedFromClear: number;
}

export async function rewrapAll(
  db: Kysely<DatabaseSchema>,
  oldKey: Buffer,
  newKey: Buffer,
  actor = 'unknown',
): Promise<RewrapResult> {
  if (oldKey.equals(newKey))
    throw new UserError('the new master key is the old one', 'generate a new one: openssl rand -base64 32');
  return db.transaction().execute(async (tx) => {
    // The old key must be the database's (its recorded check, or one of its sealed values opens).
    await checkedMasterKey(tx, () => oldKey);
    const rewrapped: Record<string, number> = {};
    for (const c of SEALED_COLUMNS) {
      const rows = await sql<
        Record<string, unknown>
      >`select ${sql.join(c.keys.map((k) => sql.ref(k)))}, ${sql.ref(c.column)} as sealed
        from ${sql.table(c.table)} where ${sql.ref(c.column)} is not null for update`.execute(tx);
      for (const row of rows.rows) {
        const label = c.label(row);
        const resealed = seal(newKey, open(oldKey, row.sealed as Uint8Array, label), label);
        const where = sql.join(
          c.keys.map((k) => sql`${sql.ref(k)} = ${row[k]}`),
          sql` and `,
        );
        await sql`update ${sql.table(c.table)} set ${sql.ref(c.column)} = ${resealed} where ${where}`.execute(tx);
      }
      rewrapped[`${c.table}.${c.column}`] = rows.rows.length;
    }
    const result = { rewrapped, sealedFromClear: await sealClearKeys(tx, newKey) };
    await recordMasterKey(tx, newKey);
    // In the same transaction: the audit trail has the rewrap exactly when the values moved.
    await recordAuditEvent(tx, { kind: 'rewrap', actor, projectId: null, detail: { ...result } });
    return result;
  });
}

export interface AdoptResult {
  /** Labels of the sealed values the adopted key cannot open: sealed with the lost key, opened by none. */
  unopenable: string[];
  sealedFromClear: number;
}

/**
 * `keys rewrap --old-key-lost`: the configured key becomes the database's master key without the old
 * one, which nobody has any more. Nothing can be re-sealed; the values the new key cannot open are
 * listed (their labels name project, kind and generation, never material) so they can be rotated,
 * and a project's service transmission key pair that it cannot open is removed: the next
 * `transmit service-key` makes a new one, which clients then seal for.
 */
export async function adoptMasterKey(db: Kysely<DatabaseSchema>, key: Buffer, actor = 'unknown'): Promise<AdoptResult> {
  return db.transaction().execute(async (tx) => {
    const unopenable: string[] = [];
    for (const c of SEALED_COLUMNS) {
      const rows = await sql<Record<string, unknown>>`select ${sql.join(c.keys.map((k) => sql.ref(k)))},
          ${sql.ref(c.column)} as sealed from ${sql.table(c.table)} where ${sql.ref(c.column)} is not null`.execute(tx);
      for (const row of rows.rows) {
        const label = c.label(row);
        try {
          open(key, row.sealed as Uint8Array, label);
        } catch {
          unopenable.push(label);
          // The service's own key pair is made anew on first use (`transmit service-key`): removed.
          if (c.table === 'service_transmission_keys')
            await tx.deleteFrom('service_transmission_keys').where('project_id', '=', String(row.project_id)).execute();
        }
      }
    }
    const sealedFromClear = await sealClearKeys(tx, key);
    await recordMasterKey(tx, key);
    await recordAuditEvent(tx, {
      kind: 'rewrap',
      actor,
      projectId: null,
      detail: { rewrapped: {}, sealedFromClear, oldKeyLost: true, unopenable: unopenable.length },
    });
    return { unopenable, sealedFromClear };
  });
}
