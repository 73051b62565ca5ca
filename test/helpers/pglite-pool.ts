// Embedded (`memory:`) databases handed to test files, reused within a worker process: starting
// PGlite from the template costs 0.6-0.9 s of CPU alone and about 3 s under the suite's load (63 such
// starts were a fifth of the workers' time), while emptying a used one costs a few milliseconds.
// A database comes back only when it is again what the template is: its tables emptied (identities
// restarted, activity counters reset), its session reset, and its schema, statistics, roles and
// migration records the same as a new one's (a fingerprint compared); anything else (a schema a test changed, a transaction left open)
// closes it and the next file gets a new one. What the fingerprint does not cover could pass from
// one file to the next; it covers what a test of this project has changed or might.
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import type { Database, OpenOptions } from '../../src/db/connection.js';
import { PGliteDialect } from '../../src/db/pglite-dialect.js';
import { pgliteTemplateOptions } from '../../src/db/pglite-template.js';
import type { DatabaseSchema } from '../../src/db/schema.js';
import { createPGlite } from './pglite.js';

/** Idle databases kept per worker: a file rarely holds more than two at once. */
const MAX_IDLE = 2;
const idle: PGlite[] = [];
let templateFingerprint: Promise<string> | undefined;
/** In this worker: databases started from the template, takes answered from the pool, returns refused. */
export const poolCounts = { started: 0, reused: 0, refused: 0 };

/** Tables a migrated database starts with rows in: the migrations' own records, compared, never emptied. */
const KEPT_TABLES = ['argosctl_migrations', 'argosctl_migration_lock'];

/**
 * What must be as in a new database: every object of the public schema with its columns (their
 * statistics targets and options), constraints, indexes, triggers, functions and types, each
 * table's row security, options and grants, the schemas and their grants, roles, extensions,
 * per-database settings, default privileges, policies, enums, large objects, the planner's
 * statistics (a file that analyzed a table changes the next one's plans), the migration records
 * and the sequences' positions.
 */
const FINGERPRINT = `
  select md5(string_agg(x, E'\\n' order by x)) as fingerprint from (
    select 'rel ' || c.relname || ' ' || c.relkind::text || ' ' || c.relpersistence::text
        || ' ' || c.relrowsecurity || c.relforcerowsecurity || ' ' || coalesce(c.reloptions::text, '-')
        || ' ' || coalesce(c.relacl::text, '-') as x from pg_class c
      where c.relnamespace = 'public'::regnamespace
    union all select 'col ' || a.attrelid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
        || ' ' || a.attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
        || ' ' || coalesce(a.attstattarget::text, '-') || ' ' || coalesce(a.attoptions::text, '-')
      from pg_attribute a join pg_class c on c.oid = a.attrelid
      left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where c.relnamespace = 'public'::regnamespace and a.attnum > 0 and not a.attisdropped
    union all select 'con ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) from pg_constraint
      where connamespace = 'public'::regnamespace
    union all select 'idx ' || indexrelid::regclass || ' ' || pg_get_indexdef(indexrelid) from pg_index i
      join pg_class c on c.oid = i.indrelid where c.relnamespace = 'public'::regnamespace
    union all select 'trg ' || tgrelid::regclass || ' ' || tgname || ' ' || tgenabled::text || ' ' || pg_get_triggerdef(oid)
      from pg_trigger where not tgisinternal
    union all select 'fn ' || p.oid::regprocedure || ' ' || md5(p.prosrc) from pg_proc p
      where p.pronamespace = 'public'::regnamespace
    union all select 'ns ' || nspname from pg_namespace
    union all select 'role ' || rolname || ' ' || rolsuper || ' ' || rolcanlogin from pg_roles
    union all select 'ext ' || extname || ' ' || extversion from pg_extension
    union all select 'set ' || setdatabase || ' ' || setrole || ' ' || array_to_string(setconfig, ',') from pg_db_role_setting
    union all select 'seq ' || s.relname || ' ' || coalesce(q.last_value::text, '-') from pg_class s
      left join pg_sequences q on q.schemaname = 'public' and q.sequencename = s.relname
      where s.relkind = 'S' and s.relnamespace = 'public'::regnamespace
    union all select 'stats ' || relname || ' ' || reltuples from pg_class
      where relnamespace = 'public'::regnamespace and relkind in ('r', 'p')
    union all select 'column stats ' || count(*) from pg_statistic s join pg_class c on c.oid = s.starelid
      where c.relnamespace = 'public'::regnamespace
    union all select 'large objects ' || count(*) from pg_largeobject_metadata
    union all select 'policies ' || count(*) from pg_policy
    union all select 'extended stats ' || count(*) from pg_statistic_ext
    union all select 'enum ' || enumtypid::regtype || ' ' || enumlabel from pg_enum
    union all select 'type ' || t.typname || ' ' || t.typtype::text from pg_type t
      where t.typnamespace = 'public'::regnamespace
    union all select 'acl ' || n.nspname || ' ' || coalesce(n.nspacl::text, '-') from pg_namespace n
    union all select 'default acl ' || count(*) from pg_default_acl
    union all select 'migration ' || name from argosctl_migrations
    union all select 'lock ' || id || ' ' || is_locked from argosctl_migration_lock
  ) parts`;

async function fingerprintOf(pglite: PGlite): Promise<string> {
  const { rows } = await pglite.query<{ fingerprint: string }>(FINGERPRINT);
  return rows[0]!.fingerprint;
}

async function startFromTemplate(): Promise<PGlite> {
  const pglite = await createPGlite(pgliteTemplateOptions(undefined));
  poolCounts.started++;
  if (!templateFingerprint) {
    templateFingerprint = fingerprintOf(pglite);
    templateFingerprint.catch(() => {}); // awaited (and so reported) by the first return
  }
  return pglite;
}

/** Whether `db` holds what a new database does in everything the pool compares (its rows aside). */
export async function matchesNew(db: Kysely<DatabaseSchema>): Promise<boolean> {
  const { rows } = await sql<{ fingerprint: string }>`${sql.raw(FINGERPRINT)}`.execute(db);
  return rows[0].fingerprint === (await templateFingerprint);
}

/** A Kysely over `pglite` whose destroy leaves the instance open (it goes back to the pool). */
function kyselyOver(pglite: PGlite, options: OpenOptions): Kysely<DatabaseSchema> {
  const dialect = new PGliteDialect(pglite);
  const createDriver = dialect.createDriver.bind(dialect);
  dialect.createDriver = () => Object.assign(createDriver(), { destroy: async () => {} });
  return new Kysely<DatabaseSchema>({
    dialect,
    log: options.onQuery ? (event) => options.onQuery!(event.query) : undefined,
  });
}

/**
 * Empties `pglite` to the template's state; false when it cannot be (then it is closed). A
 * fingerprint that differs from a new database's means a test changed more than rows.
 */
async function emptied(pglite: PGlite): Promise<boolean> {
  if (pglite.closed || pglite.isInTransaction()) return false;
  try {
    await pglite.exec('DISCARD ALL');
    const { rows } = await pglite.query<{ name: string }>(
      `select quote_ident(relname) as name from pg_class
       where relnamespace = 'public'::regnamespace and relkind in ('r', 'p') and not (relname = any($1))`,
      [KEPT_TABLES],
    );
    if (rows.length > 0) await pglite.exec(`TRUNCATE ${rows.map((r) => r.name).join(', ')} RESTART IDENTITY CASCADE`);
    // The activity counters (rows changed since analysis, which embedded-maintenance.ts reads) start
    // again from zero, as in a new database; the counters still pending are sent first.
    await pglite.exec('select pg_stat_force_next_flush()');
    await pglite.exec('select pg_stat_reset()');
    return (await fingerprintOf(pglite)) === (await templateFingerprint);
  } catch {
    return false;
  }
}

/** A migrated embedded database, new or emptied; its close returns it to the pool when it can be. */
export async function takeMemoryDatabase(options: OpenOptions = {}): Promise<Database> {
  const reused = idle.pop();
  if (reused) poolCounts.reused++;
  const pglite = reused ?? (await startFromTemplate());
  const db = kyselyOver(pglite, options);
  let closed = false;
  return {
    db,
    kind: 'pglite',
    displayUrl: 'embedded database (memory)',
    close: async () => {
      if (closed) return;
      closed = true;
      await db.destroy();
      if (idle.length >= MAX_IDLE) return pglite.close();
      if (await emptied(pglite)) return void idle.push(pglite);
      poolCounts.refused++;
      if (!pglite.closed) await pglite.close();
    },
  };
}
