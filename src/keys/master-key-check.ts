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
import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { GuardError, LockError } from '../errors.js';
import { masterKeyFromText, masterKeySource, resolveMasterKey, type MasterKeySource } from './master-key.js';
import { readOwnSmallFile } from '../util/safe-read.js';
import { escapeTerminal } from '../render/escape-terminal.js';
import { open } from './seal.js';
import { SEALED_COLUMNS, type SealedColumn } from './sealed-columns.js';

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

const CHECK_TEXT = 'argosctl master key check v1';
/** pg_advisory_xact_lock key of whatever seals or moves sealed values ("ARKM"). */
const MASTER_KEY_LOCK_KEY = 0x41524b4d;

export function masterKeyCheckValue(key: Buffer): Buffer {
  return createHmac('sha256', key).update(CHECK_TEXT).digest();
}

/** How long what seals waits for the master-key lock unless told (apply passes its --lock-timeout, at least this). */
export const MASTER_KEY_LOCK_WAIT_MS = 10_000;

/**
 * Held until the transaction ends: one sealer or mover of sealed values at a time. Waits at most
 * `waitMs`, then refuses (exit 3): a transaction left open elsewhere never holds a command silently.
 */
export async function lockMasterKey(tx: Transaction<DatabaseSchema>, waitMs = MASTER_KEY_LOCK_WAIT_MS): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const { rows } = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${MASTER_KEY_LOCK_KEY}) as ok`.execute(
      tx,
    );
    if (rows[0]?.ok) return;
    if (Date.now() >= deadline)
      throw new LockError(
        `another command is sealing or moving sealed secrets (it holds the master-key lock), still after ${Math.round(waitMs / 1000)} s`,
        'try again when it has finished (an apply issuing keys, keys rewrap, transmit service-key)',
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface SealedValue {
  column: SealedColumn;
  row: Record<string, unknown>;
  label: string;
  sealed: Uint8Array;
}

/**
 * Every sealed value of the database, with its label (`limit`: at most that many per column;
 * `forUpdate`: their rows locked, for a rewrap that writes them all).
 */
export async function sealedValues(
  db: Db,
  { limit, forUpdate = false }: { limit?: number; forUpdate?: boolean } = {},
): Promise<SealedValue[]> {
  const values: SealedValue[] = [];
  for (const column of SEALED_COLUMNS) {
    const { rows } = await sql<Record<string, unknown>>`
      select ${sql.join(column.keys.map((k) => sql.ref(k)))}, ${sql.ref(column.column)} as sealed
      from ${sql.table(column.table)} where ${sql.ref(column.column)} is not null
      ${limit === undefined ? sql`` : sql`limit ${limit}`} ${forUpdate ? sql`for update` : sql``}`.execute(db);
    for (const row of rows) values.push({ column, row, label: column.label(row), sealed: row.sealed as Uint8Array });
  }
  return values;
}

/** The row a sealed value lies in, as a WHERE condition over its table's key columns. */
export function rowOf(value: SealedValue): RawBuilder<unknown> {
  return sql.join(
    value.column.keys.map((k) => sql`${sql.ref(k)} = ${value.row[k]}`),
    sql` and `,
  );
}

/** Writes `sealed` in place of the value (a rewrap, a value moved to the adopted key; null: its copy gone). */
export async function resealValue(db: Db, value: SealedValue, sealed: Uint8Array | null): Promise<void> {
  const { table, column } = value.column;
  await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${sealed} where ${rowOf(value)}`.execute(db);
}

const anySealed = async (db: Db) => (await sealedValues(db, { limit: 1 })).length > 0;

export function opens(key: Buffer, value: SealedValue): boolean {
  try {
    open(key, value.sealed, value.label);
    return true;
  } catch {
    return false;
  }
}

/** The recorded check value in hex, or undefined when none is recorded. */
export async function recordedCheckHex(db: Db): Promise<string | undefined> {
  return (await recordedCheck(db))?.toString('hex');
}

async function recordedCheck(db: Db): Promise<Buffer | undefined> {
  const row = await db.selectFrom('master_key_check').select('check_value').executeTakeFirst();
  return row ? Buffer.from(row.check_value) : undefined;
}

/** True when `key` is the database's: its record names it, or (none yet) it opens every sealed value. */
export async function isDatabaseKey(db: Db, key: Buffer): Promise<boolean> {
  const recorded = await recordedCheck(db);
  if (recorded) return timingSafeEqual(recorded, masterKeyCheckValue(key));
  return (await sealedValues(db)).every((v) => opens(key, v));
}

/** Records `key` as the database's master key (the first seal, a rewrap, a lost key replaced). */
export async function recordMasterKey(db: Db, key: Buffer): Promise<void> {
  const checkValue = masterKeyCheckValue(key);
  await db
    .insertInto('master_key_check')
    .values({ id: true, check_value: checkValue })
    .onConflict((oc) => oc.column('id').doUpdateSet({ check_value: checkValue, recorded_at: sql`now()` }))
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

function notTheKey(source: MasterKeySource | undefined, recorded?: Buffer): GuardError {
  const embedded = source?.kind === 'embedded' && source.file !== undefined;
  const checkout = embedded
    ? ' (checking out a branch that tracks the key file replaces it: git overwrites ignored files)'
    : '';
  const holding = embedded && recorded ? keyFileHolding(source.file!, recorded) : undefined;
  return new GuardError(
    `${describe(source)} is not the one this database's secrets are sealed with${checkout}`,
    holding
      ? `the key this database records is in ${holding} (kept aside by keys rewrap --old-key-lost, or left by one cut short): move it to ${source!.file}`
      : `give argosctl the key that was in force; \`argosctl keys rewrap\` moves the secrets to a new one; ${LOST_HINT}`,
  );
}

/**
 * A file beside the embedded key file (`db.master-key.*`) holding the key the database records, if
 * any. The names argosctl writes (`.new-…`, `.replaced-…`) are read first; at most 100, 4 KiB each.
 */
export function keyFileHolding(file: string, recorded: Buffer): string | undefined {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.startsWith(prefix));
  } catch {
    return undefined;
  }
  const ours = (name: string) => /^\.(new|replaced)-/.test(name.slice(prefix.length - 1));
  names.sort((a, b) => Number(ours(b)) - Number(ours(a)));
  for (const name of names.slice(0, 100)) {
    const read = readOwnSmallFile(path.join(dir, name), 4096);
    if (!read.ok) continue;
    try {
      const key = masterKeyFromText(read.bytes.toString('utf8'), name);
      if (timingSafeEqual(masterKeyCheckValue(key), recorded)) return path.join(dir, name);
    } catch {
      // not a key: not this one
    }
  }
  return undefined;
}

/** A database from before the check, where earlier versions sealed under two keys. */
export class MixedKeysError extends GuardError {}

function mixedKeys(source: MasterKeySource | undefined, opened: number, unopened: readonly SealedValue[]): GuardError {
  const listed = unopened.slice(0, 5).map((v) => v.label);
  return new MixedKeysError(
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
  lockWaitMs?: number,
): Promise<Buffer> {
  await lockMasterKey(tx, lockWaitMs);
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
    throw notTheKey(source, recorded);
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
    // A database earlier versions left under two keys: what this key opens still works, so start.
    if (err instanceof MixedKeysError) {
      warn(`warning: ${escapeTerminal(err.message)}\n  ${escapeTerminal(err.hint ?? '')}\n`);
      return;
    }
    if ((err as { code?: string }).code !== '42501') throw err;
    warn(
      'warning: the master key was not checked: this role may not read master_key_check; ' +
        "run the `argosctl db roles` SQL again as the tables' owner (it grants the tables an upgrade added)\n",
    );
  }
}
