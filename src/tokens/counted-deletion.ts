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
// skips those another writer holds), then fold the stripes, then lower the counter, in one
// statement. Expiry counts (token_expired_counts) come last in each statement: a statement-level
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
 * rows it chose), then folds the deletion stripes and lowers the counter row by both, in that
 * order and in one statement; returns how many tokens it picked and deleted. The stripes are folded
 * only after every row is deleted: `folded` reads `gone`, so PostgreSQL runs the deletion first.
 * With `count: false` it deletes the rows only (lowerCounter counts them afterwards).
 */
export async function deleteCounted(
  db: Db,
  projectId: string,
  picked: RawBuilder<unknown>,
  deletion: RawBuilder<unknown>,
  { count = true } = {},
): Promise<{ picked: number; deleted: number }> {
  const counting = count
    ? sql`,
    folded as (
      delete from token_deleted_counts where project_id = ${projectId} and (select count(*) from gone) >= 0
      returning deleted),
    counted as (
      update token_counts
      set registered = registered - (select count(*) from gone) - (select coalesce(sum(deleted), 0) from folded)
      where project_id = ${projectId}
      returning 1)`
    : sql``;
  const { rows } = await sql<{ picked: number; deleted: number }>`
    with picked as (${picked}),
    gone as (${deletion})${counting}
    select (select count(*) from picked)::int as picked, (select count(*) from gone)::int as deleted
      ${count ? sql`, (select count(*) from folded) as folded, (select count(*) from counted) as counted` : sql``}`.execute(
    db,
  );
  return rows[0];
}

/** Folds the deletion stripes into the counter row and lowers it by `deleted` more, stripes first. */
export async function lowerCounter(db: Db, projectId: string, deleted: number): Promise<void> {
  await sql`
    with folded as (delete from token_deleted_counts where project_id = ${projectId} returning deleted)
    update token_counts set registered = registered - ${deleted}::int - (select coalesce(sum(deleted), 0) from folded)
    where project_id = ${projectId}`.execute(db);
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
    const r = await deleteCounted(
      db,
      projectId,
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
      { count: false },
    );
    deleted += r.deleted;
    if (r.deleted === r.picked) break; // nothing was overwritten meanwhile: these were the oldest
  }
  await lowerCounter(db, projectId, deleted);
  return deleted;
}

/**
 * A prune batch: the rows `pickCtids` chooses (a SELECT of their ctid), deleted by ctid (a tid
 * scan, twice as fast as joining on the key); a row updated since the pick has another ctid and is
 * left alone. `outright` deletes them as they are (the caller bounds its waits with lock_timeout);
 * `skip-locked` first locks the picks it can without waiting, skipping those another writer holds
 * (a registration overwriting it, a deletion by ID), at the cost of a pass over the rows.
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
  return deleteCounted(db, projectId, pickCtids, sql`delete from tokens where ctid = any(array(${ctids})) returning 1`);
}
