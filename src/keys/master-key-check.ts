// Which master key a database's secrets are sealed with: a check value (an HMAC of a fixed text
// under the key, which says nothing of the key) kept in the database from the first seal on.
// Everything that seals checks the key against it first, so a database never holds secrets sealed
// with two keys: a wrong ARGOS_MASTER_KEY, a key file a checkout replaced (git overwrites ignored
// files), or a key file deleted and silently generated anew is refused before anything is sealed
// with it, instead of leaving secrets that no key opens. What seals holds a transaction-scoped lock
// from its check to its commit, and so do `keys rewrap` and `--old-key-lost`: a secret sealed under
// the old key cannot commit after a rewrap has moved the others. (Messages are escaped where they
// are printed: src/cli/run.ts.)
import { createHmac, timingSafeEqual } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { GuardError } from '../errors.js';
import { masterKeySource, resolveMasterKey, type MasterKeySource } from './master-key.js';
import { open } from './seal.js';
import { SEALED_COLUMNS, type SealedColumn } from './sealed-columns.js';

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

const CHECK_TEXT = 'argosctl master key check v1';
/** pg_advisory_xact_lock key of whatever seals or moves sealed values ("ARKM"). */
const MASTER_KEY_LOCK_KEY = 0x41524b4d;

export function masterKeyCheckValue(key: Buffer): Buffer {
  return createHmac('sha256', key).update(CHECK_TEXT).digest();
}

/** Held until the transaction ends: one sealer or mover of sealed values at a time. */
export async function lockMasterKey(tx: Transaction<DatabaseSchema>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${MASTER_KEY_LOCK_KEY})`.execute(tx);
}

export interface SealedValue {
  column: SealedColumn;
  row: Record<string, unknown>;
  label: string;
  sealed: Uint8Array;
}

/** Every sealed value of the database (`limit`: at most that many per column), with its label. */
export async function sealedValues(db: Db, limit?: number): Promise<SealedValue[]> {
  const values: SealedValue[] = [];
  for (const column of SEALED_COLUMNS) {
    const { rows } = await sql<Record<string, unknown>>`
      select ${sql.join(column.keys.map((k) => sql.ref(k)))}, ${sql.ref(column.column)} as sealed
      from ${sql.table(column.table)} where ${sql.ref(column.column)} is not null
      ${limit === undefined ? sql`` : sql`limit ${limit}`}`.execute(db);
    for (const row of rows) values.push({ column, row, label: column.label(row), sealed: row.sealed as Uint8Array });
  }
  return values;
}

const anySealed = async (db: Db) => (await sealedValues(db, 1)).length > 0;

export function opens(key: Buffer, value: SealedValue): boolean {
  try {
    open(key, value.sealed, value.label);
    return true;
  } catch {
    return false;
  }
}

async function recordedCheck(db: Db): Promise<Buffer | undefined> {
  const row = await db.selectFrom('master_key_check').select('check_value').executeTakeFirst();
  return row ? Buffer.from(row.check_value) : undefined;
}

/** True when the database's record names `key` as its master key. */
export async function isRecordedMasterKey(db: Db, key: Buffer): Promise<boolean> {
  const recorded = await recordedCheck(db);
  return recorded !== undefined && timingSafeEqual(recorded, masterKeyCheckValue(key));
}

/** Records `key` as the database's master key (the first seal, a rewrap, a lost key replaced). */
export async function recordMasterKey(db: Db, key: Buffer): Promise<void> {
  await db
    .insertInto('master_key_check')
    .values({ id: true, check_value: masterKeyCheckValue(key) })
    .onConflict((oc) => oc.column('id').doUpdateSet({ check_value: masterKeyCheckValue(key), recorded_at: sql`now()` }))
    .execute();
}

const LOST_HINT =
  'if that key is lost, `argosctl keys rewrap --old-key-lost` shows what only it opened, and with --yes ' +
  'replaces it (those secrets are removed: rotate them)';

function describe(source: MasterKeySource | undefined): string {
  if (!source) return 'the configured master key';
  if (source.kind === 'env') return 'the master key in ARGOS_MASTER_KEY';
  if (source.kind === 'process') return "this process's in-memory master key";
  return `the master key file ${source.file ?? ''}`;
}

function notTheKey(source: MasterKeySource | undefined): GuardError {
  const checkout =
    source?.kind === 'embedded'
      ? ' (checking out a branch that tracks the key file replaces it: git overwrites ignored files)'
      : '';
  return new GuardError(
    `${describe(source)} is not the one this database's secrets are sealed with${checkout}`,
    `give argosctl the key that was in force; \`argosctl keys rewrap\` moves the secrets to a new one; ${LOST_HINT}`,
  );
}

/** A database from before the check, where earlier versions sealed under two keys. */
function mixedKeys(source: MasterKeySource | undefined, opened: number, unopened: readonly SealedValue[]): GuardError {
  const listed = unopened.slice(0, 5).map((v) => v.label);
  return new GuardError(
    `this database holds secrets sealed under more than one master key (argosctl did not check before migration ` +
      `018): ${describe(source)} opens ${opened} of ${opened + unopened.length}; not ${listed.join(', ')}` +
      `${unopened.length > listed.length ? ', …' : ''}`,
    `give argosctl the key that opens them all, if there is one; ${LOST_HINT}`,
  );
}

/**
 * The master key `resolve` gives, once it is known to be the database's, inside `tx`, which then
 * holds the master-key lock until it ends: equal to the recorded check value; or, none recorded yet
 * (a database from before this check), a key that opens every value sealed there. Then recorded. The
 * generated key file beside an embedded database is made anew only while nothing is sealed.
 */
export async function checkedMasterKey(
  tx: Transaction<DatabaseSchema>,
  resolve: () => Buffer,
  source?: MasterKeySource,
): Promise<Buffer> {
  await lockMasterKey(tx);
  const { key, recorded } = await judgeMasterKey(tx, resolve, source);
  if (!recorded) await recordMasterKey(tx, key);
  return key;
}

/** The key, when it may seal here; `recorded`: the database's record names it already. */
async function judgeMasterKey(
  db: Db,
  resolve: () => Buffer,
  source: MasterKeySource | undefined,
): Promise<{ key: Buffer; recorded: boolean }> {
  const recorded = await recordedCheck(db);
  const missingFile =
    source?.kind === 'embedded' && source.file !== undefined && !lstatSync(source.file, { throwIfNoEntry: false });
  if (missingFile && (await anySealed(db)))
    throw new GuardError(
      `the master key file ${source.file} is missing, and this database holds secrets sealed with it`,
      `restore it from where you keep a copy (argosctl makes no new key over sealed secrets); ${LOST_HINT}`,
    );
  const key = resolve();
  if (recorded) {
    if (timingSafeEqual(recorded, masterKeyCheckValue(key))) return { key, recorded: true };
    // A key file made just now, over nothing sealed, is random: nothing to mix, nobody else knows it.
    // Another key is refused even when nothing is sealed: it may be one a checkout brought.
    if (missingFile) return { key, recorded: false };
    throw notTheKey(source);
  }
  const values = await sealedValues(db);
  const unopened = values.filter((v) => !opens(key, v));
  if (unopened.length === 0) return { key, recorded: false };
  if (unopened.length === values.length) throw notTheKey(source);
  throw mixedKeys(source, values.length - unopened.length, unopened);
}

/**
 * `serve` and `worker` at start: a configured master key that is not the database's is an error
 * now, not at the first encrypted URL or webhook signature. Nothing is recorded (they seal nothing),
 * and without a configured key (none in the environment, no key file yet) there is nothing to check.
 * A role that may not read the check (its grants are from before migration 018) is told so, and the
 * check skipped: these commands only open, and a wrong key fails there too.
 */
export async function refuseWrongConfiguredKey(
  db: Db,
  databaseUrl: string,
  env: NodeJS.ProcessEnv,
  warn: (message: string) => void,
): Promise<void> {
  const source = masterKeySource(databaseUrl, env);
  if (source.kind === 'process' || (source.kind === 'env' && !env.ARGOS_MASTER_KEY)) return;
  if (source.kind === 'embedded' && source.file && !lstatSync(source.file, { throwIfNoEntry: false })) return;
  try {
    await judgeMasterKey(db, () => resolveMasterKey(databaseUrl, env), source);
  } catch (err) {
    if ((err as { code?: string }).code !== '42501') throw err;
    warn(
      'warning: the master key was not checked: this role may not read master_key_check; ' +
        "run the `argosctl db roles` SQL again as the tables' owner (it grants the tables an upgrade added)\n",
    );
  }
}
