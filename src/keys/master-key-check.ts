// Which master key a database's secrets are sealed with: a check value (an HMAC of a fixed text
// under the key, which says nothing of the key) kept in the database from the first seal on.
// Everything that seals checks the key against it first, so a database never holds secrets sealed
// with two keys: a wrong ARGOS_MASTER_KEY, a key file a checkout replaced (git overwrites ignored
// files), or a key file deleted and silently generated anew is refused before anything is sealed
// with it, instead of leaving secrets that no key opens. (Messages are escaped where they are
// printed: src/cli/run.ts.)
import { createHmac, timingSafeEqual } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { GuardError } from '../errors.js';
import { masterKeySource, resolveMasterKey, type MasterKeySource } from './master-key.js';
import { open } from './seal.js';
import { SEALED_COLUMNS } from './sealed-columns.js';

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

const CHECK_TEXT = 'argosctl master key check v1';

export function masterKeyCheckValue(key: Buffer): Buffer {
  return createHmac('sha256', key).update(CHECK_TEXT).digest();
}

/** One sealed value of the database, with the label it was sealed under, or undefined when none is. */
export async function oneSealedValue(db: Db): Promise<{ label: string; sealed: Uint8Array } | undefined> {
  for (const c of SEALED_COLUMNS) {
    const { rows } = await sql<Record<string, unknown>>`
      select ${sql.join(c.keys.map((k) => sql.ref(k)))}, ${sql.ref(c.column)} as sealed
      from ${sql.table(c.table)} where ${sql.ref(c.column)} is not null limit 1`.execute(db);
    if (rows[0]) return { label: c.label(rows[0]), sealed: rows[0].sealed as Uint8Array };
  }
  return undefined;
}

async function recordedCheck(db: Db): Promise<Buffer | undefined> {
  const row = await db.selectFrom('master_key_check').select('check_value').executeTakeFirst();
  return row ? Buffer.from(row.check_value) : undefined;
}

/** Records `key` as the database's master key (the first seal, a rewrap, a lost key replaced). */
export async function recordMasterKey(db: Db, key: Buffer): Promise<void> {
  await db
    .insertInto('master_key_check')
    .values({ id: true, check_value: masterKeyCheckValue(key) })
    .onConflict((oc) => oc.column('id').doUpdateSet({ check_value: masterKeyCheckValue(key), recorded_at: sql`now()` }))
    .execute();
}

const HINT =
  'give argosctl the key that was in force; `argosctl keys rewrap` moves the secrets to a new one. ' +
  "If that key is lost, `argosctl keys rewrap --old-key-lost` makes the configured key the database's " +
  '(the secrets sealed with the lost one stay unopenable and are listed: rotate them)';

function describe(source: MasterKeySource | undefined): string {
  if (!source) return 'the configured master key';
  if (source.kind === 'env') return 'the master key in ARGOS_MASTER_KEY';
  if (source.kind === 'process') return "this process's in-memory master key";
  return `the master key file ${source.file ?? ''}`;
}

function notTheKey(source: MasterKeySource | undefined): GuardError {
  return new GuardError(`${describe(source)} is not the one this database's secrets are sealed with`, HINT);
}

/**
 * The master key `resolve` gives, once it is known to be the database's: equal to the recorded check
 * value, or (none recorded yet, as in a database from before this check) able to open a value sealed
 * there; then recorded, so later commands compare in one read. The generated key file beside an
 * embedded database is not made anew while the database holds secrets: it would be a second key.
 */
export async function checkedMasterKey(
  db: Db,
  resolve: () => Buffer,
  source?: MasterKeySource,
  { record = true }: { record?: boolean } = {},
): Promise<Buffer> {
  const recorded = await recordedCheck(db);
  const sample = recorded ? undefined : await oneSealedValue(db);
  if (
    source?.kind === 'embedded' &&
    source.file &&
    (recorded || sample) &&
    !lstatSync(source.file, { throwIfNoEntry: false })
  )
    throw new GuardError(
      `the master key file ${source.file} is missing, and this database holds secrets sealed with it`,
      'restore it from where you keep a copy (argosctl makes no new key over sealed secrets); if it is lost, ' +
        "`argosctl keys rewrap --old-key-lost` makes a new one the database's (the secrets sealed with the lost one " +
        'stay unopenable and are listed: rotate them)',
    );
  const key = resolve();
  if (recorded) {
    if (!timingSafeEqual(recorded, masterKeyCheckValue(key))) throw notTheKey(source);
    return key;
  }
  if (sample) {
    try {
      open(key, sample.sealed, sample.label);
    } catch {
      throw notTheKey(source);
    }
  }
  if (!record) return key;
  // Concurrent first seals: the first record stands, and each compares against it.
  await db
    .insertInto('master_key_check')
    .values({ id: true, check_value: masterKeyCheckValue(key) })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const now = await recordedCheck(db);
  if (!now || !timingSafeEqual(now, masterKeyCheckValue(key))) throw notTheKey(source);
  return key;
}

/**
 * `serve` and `worker` at start: a configured master key that is not the database's is an error
 * now, not at the first encrypted URL or webhook signature. Nothing is recorded (they seal nothing),
 * and without a configured key (none in the environment, no key file yet) there is nothing to check.
 */
export async function refuseWrongConfiguredKey(db: Db, databaseUrl: string, env: NodeJS.ProcessEnv): Promise<void> {
  const source = masterKeySource(databaseUrl, env);
  if (source.kind === 'process' || (source.kind === 'env' && !env.ARGOS_MASTER_KEY)) return;
  if (source.kind === 'embedded' && source.file && !lstatSync(source.file, { throwIfNoEntry: false })) return;
  await checkedMasterKey(db, () => resolveMasterKey(databaseUrl, env), source, { record: false });
}
