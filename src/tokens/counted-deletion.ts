// Deletions that lower the project's counter row (deletion of the oldest, prune), and the one
// order every writer of a project's tokens takes its locks in:
//
//   token rows (in ID order, or never waited for) → deletion stripes → counter row
//
// "ID order" is byte order (collate "C"): a registration sorts its IDs in JavaScript, by code unit,
// which for the ASCII of token IDs is the same; the database's own collation may differ (ICU puts
// "a" before "B"), and two orders of the same rows would wait on each other in a circle.
//
// A registration inserts or overwrites its rows in ID order, then folds the stripes and adds to
// the counter, all in one statement (an import of several chunks inserts every chunk's rows
// before its last statement counts them). A deletion by ID locks its rows in ID order, then adds
// to its stripe. The worker's fold takes the stripes, then the counter. The deletions here delete
// their rows first (deletion of the oldest locks them in ID order; prune never waits for a row: it
// skips those another writer holds), then, in their last statement, fold the stripes and lower the
// counter. Expiry counts (token_expired_counts) come last in each statement: a statement-level
// trigger writes them at its end (an import of several chunks holds its connection's stripe from
// its first chunk on; two connections share a stripe only when their pids agree modulo 32). With
// one order no two of these wait on each other in a circle; should one still form, PostgreSQL
// cancels one, which retryOnDeadlock runs again.
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

/** The advisory lock's first key, naming argosctl's counted deletions (the second is the project's hash). */
const COUNTED_DELETION_LOCK = 0x41524744; // "ARGD"

/**
 * Deletions of the oldest and prune batches of one project run one at a time, each transaction
 * taking this lock before anything else (so waiting on it holds nothing another writer needs). Its
 * statements then see what the previous one deleted: two requests to delete the 50 oldest delete
 * 100 tokens, not 50 and the few the first left.
 */
export async function oneCountedDeletionAtATime(tx: Transaction<DatabaseSchema>, projectId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(${COUNTED_DELETION_LOCK}, hashtext(${projectId}))`.execute(tx);
}

/**
 * Runs `deletion` (a DELETE of the project's tokens, `returning 1`, after the CTE `picked` of the
 * rows it chose); returns how many rows it picked and deleted. The counter is not touched: the
 * caller folds afterwards (foldDeletions), rows first, counter last.
 */
async function deleteRows(
  db: Db,
  picked: RawBuilder<unknown>,
  deletion: RawBuilder<unknown>,
): Promise<{ picked: number; deleted: number }> {
  const { rows } = await sql<{ picked: number; deleted: number }>`
    with picked as (${picked}), gone as (${deletion})
    select (select count(*) from picked)::int as picked, (select count(*) from gone)::int as deleted`.execute(db);
  return rows[0];
}

/**
 * Folds the project's deletion stripes into its counter row, lowered by `deleted` more (tokens the
 * caller deleted in this transaction), and returns the count (undefined without a counter row).
 * The stripes are taken before the counter (the UPDATE computes its new value, deleting them,
 * before it locks the row), and the row is locked until the end of the transaction.
 */
export async function foldDeletions(db: Db, projectId: string, deleted = 0): Promise<number | undefined> {
  const { rows } = await sql<{ registered: number }>`
    with folded as (delete from token_deleted_counts where project_id = ${projectId} returning deleted)
    update token_counts set registered = registered - ${deleted}::int - (select coalesce(sum(deleted), 0) from folded)
    where project_id = ${projectId} returning registered`.execute(db);
  return rows[0]?.registered;
}

/**
 * Deletion of the oldest: the `n` oldest, locked in ID order, unchanged since they were picked, then
 * the counter. A token overwritten (registered again) after the pick is no longer among the oldest:
 * the join on its registration time, checked again against the row's newest version, leaves it
 * out, and the next oldest are picked in its place (a new statement sees where it went), up to three
 * times. The rows of every pick are deleted before the counter is taken: the order above.
 */
export async function deleteOldestCounted(db: Db, projectId: string, n: number): Promise<number> {
  let deleted = 0;
  for (let pick = 0; pick < 3 && deleted < n; pick++) {
    const r = await deleteRows(
      db,
      sql`select token_id, registered_at from tokens where project_id = ${projectId}
          order by registered_at, token_id limit ${n - deleted}`,
      sql`delete from tokens t using (
            select t.token_id from tokens t join picked
              on t.token_id = picked.token_id and t.registered_at = picked.registered_at
            where t.project_id = ${projectId}
            order by t.token_id collate "C"
            for update of t) locked
          where t.project_id = ${projectId} and t.token_id = locked.token_id
          returning 1`,
    );
    deleted += r.deleted;
    if (r.deleted === r.picked) break; // nothing was overwritten meanwhile: these were the oldest
  }
  await foldDeletions(db, projectId, deleted);
  return deleted;
}

/**
 * A prune batch: the rows `pickCtids` chooses (a SELECT of their ctid), deleted by ctid (a tid
 * scan, twice as fast as joining on the key), then the counter; a row updated since the pick has
 * another ctid and is left alone. `outright` deletes them as they are (the caller bounds its waits
 * with lock_timeout); `skip-locked` first locks the picks it can without waiting, skipping those
 * another writer holds (a registration overwriting it, a deletion by ID), at the cost of a pass
 * over the rows.
 */
export async function pruneCounted(
  db: Db,
  projectId: string,
  pickCtids: RawBuilder<unknown>,
  how: 'outright' | 'skip-locked',
) {
  const ctids =
    how === 'outright'
      ? sql`select ctid from picked`
      : sql`select ctid from tokens where ctid = any(array(select ctid from picked)) for update skip locked`;
  const r = await deleteRows(db, pickCtids, sql`delete from tokens where ctid = any(array(${ctids})) returning 1`);
  await foldDeletions(db, projectId, r.deleted);
  return r;
}
