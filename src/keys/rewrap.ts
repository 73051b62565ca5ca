// `keys rewrap`: every sealed value (SEALED_COLUMNS) opened with the old master key and sealed with
// the new one, in ONE transaction: either all of them move, or none (a value the old key cannot
// open stops it all, and the database keeps working with the old key). Keys still in clear from
// before migration 005 are sealed with the new key on the way.
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { GuardError, UserError } from '../errors.js';
import { sealClearKeys } from './encryption-keys.js';
import {
  checkedMasterKey,
  lockMasterKey,
  opens,
  recordedCheckHex,
  recordMasterKey,
  resealValue,
  rowOf,
  sealedValues,
} from './master-key-check.js';
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
    // The old key must be the database's (its recorded check, or every sealed value opens with it).
    await checkedMasterKey(tx, () => oldKey);
    const rewrapped = Object.fromEntries(SEALED_COLUMNS.map((c) => [`${c.table}.${c.column}`, 0]));
    for (const value of await sealedValues(tx, { forUpdate: true })) {
      await resealValue(tx, value, seal(newKey, open(oldKey, value.sealed, value.label), value.label));
      rewrapped[`${value.column.table}.${value.column.column}`]++;
    }
    const result = { rewrapped, sealedFromClear: await sealClearKeys(tx, newKey) };
    await recordMasterKey(tx, newKey);
    // In the same transaction: the audit trail has the rewrap exactly when the values moved.
    await recordAuditEvent(tx, { kind: 'rewrap', actor, projectId: null, detail: { ...result } });
    return result;
  });
}

/** What `--old-key-lost` does with a value the adopted key cannot open. */
export type LostValueOutcome = 'unrevealable' | 'reissued-at-apply' | 'removed' | 'made-on-next-use';

export interface AdoptResult {
  /** The sealed values no key at hand opens: by label (kind:project:…, never material), and what becomes of each. */
  lost: { label: string; outcome: LostValueOutcome }[];
  /** Labels of the values `alsoOpens` opens: re-sealed under the adopted key, not lost. */
  moved: string[];
  sealedFromClear: number;
  /** False for a look without `adopt`: nothing was changed. */
  adopted: boolean;
  /** The check value recorded when it ran (hex; '' for none): an adoption after a look passes it back. */
  recordedBefore: string;
}

/**
 * `keys rewrap --old-key-lost`: `key` becomes the database's master key without the old one, which
 * nobody has any more. A value `key` opens stays; one `alsoOpens` opens (the embedded key file found at
 * the key's name, never adopted itself: a checkout may have put it there) is re-sealed under `key`.
 * Any other value cannot be opened again, so it goes, and with it whatever would try to open it (a URL
 * key in its grace period, a webhook secret in its overlap): an API key's sealed copy (the key still
 * works by its hash, but cannot be revealed: rotate it), an encryption key's generation (a declared
 * current one is issued anew by the next apply), a webhook secret (bump secretRotation to sign again),
 * the service's transmission key pair (`transmit service-key` makes a new one). Without `adopt` it
 * only says what would happen.
 */
export async function adoptMasterKey(
  db: Kysely<DatabaseSchema>,
  key: Buffer,
  {
    actor = 'unknown',
    adopt,
    alsoOpens,
    ifRecorded,
  }: { actor?: string; adopt: boolean; alsoOpens?: Buffer; ifRecorded?: string },
): Promise<AdoptResult> {
  return db.transaction().execute(async (tx) => {
    await lockMasterKey(tx);
    const recordedBefore = (await recordedCheckHex(tx)) ?? '';
    // Another rewrap between the look and this: what the look showed is no longer what would go.
    if (ifRecorded !== undefined && ifRecorded !== recordedBefore)
      throw new GuardError(
        "the database's master key changed since this command looked (another keys rewrap ran meanwhile)",
        'run it again to see what would go now',
      );
    const lost: AdoptResult['lost'] = [];
    const moved: string[] = [];
    for (const value of (await sealedValues(tx)).filter((v) => !opens(key, v))) {
      const { table } = value.column;
      if (alsoOpens && opens(alsoOpens, value)) {
        moved.push(value.label);
        if (adopt) await resealValue(tx, value, seal(key, open(alsoOpens, value.sealed, value.label), value.label));
        continue;
      }
      if (table === 'api_keys') {
        lost.push({ label: value.label, outcome: 'unrevealable' });
        if (adopt) await resealValue(tx, value, null);
        continue;
      }
      const outcome: LostValueOutcome =
        table === 'encryption_keys'
          ? 'reissued-at-apply'
          : table === 'webhook_secrets'
            ? 'removed'
            : 'made-on-next-use';
      lost.push({ label: value.label, outcome });
      if (adopt) await sql`delete from ${sql.table(table)} where ${rowOf(value)}`.execute(tx);
    }
    if (!adopt) return { lost, moved, sealedFromClear: 0, adopted: false, recordedBefore };
    const sealedFromClear = await sealClearKeys(tx, key);
    await recordMasterKey(tx, key);
    await recordAuditEvent(tx, {
      kind: 'rewrap',
      actor,
      projectId: null,
      detail: { rewrapped: {}, sealedFromClear, oldKeyLost: true, unopenable: lost.length, moved: moved.length },
    });
    return { lost, moved, sealedFromClear, adopted: true, recordedBefore };
  });
}
