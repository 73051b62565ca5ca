// Deletions that lower the project's counter row (deletion of the oldest, prune), and the one
// order every writer of a project's tokens takes its locks in:
//
//   token rows (in ID order, or never waited for) → deletion stripes → counter row
//
// A registration inserts or overwrites its rows in ID order, then folds the stripes and adds to
// the counter, all in one statement (an import of several chunks inserts every chunk's rows
// before its last statement counts them). A deletion by ID locks its rows in ID order, then adds
// to its stripe. The worker's fold takes the stripes, then the counter. The deletions here delete
// their rows first, then fold the stripes, then lower the counter, in one statement. Expiry counts
// (token_expired_counts) come last of all: a statement-level trigger writes them at the statement's
// end. With one order no two of these wait on each other in a circle through the counter or a
// stripe; rows locked in two orders still can (prune deletes its picks in physical order, a
// registration in ID order), rarely, and PostgreSQL cancels one, which retryOnDeadlock runs again.
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
 * Runs `deletion` (a DELETE of the project's tokens, `returning 1`), then folds the deletion
 * stripes and lowers the counter row by both, in that order and in one statement; returns how many
 * tokens it deleted. The stripes are folded only after every row is deleted: `folded` reads `gone`,
 * so PostgreSQL runs the deletion first.
 */
export async function deleteCounted(db: Db, projectId: string, deletion: RawBuilder<unknown>): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    with gone as (${deletion}),
    folded as (
      delete from token_deleted_counts where project_id = ${projectId} and (select count(*) from gone) >= 0
      returning deleted),
    counted as (
      update token_counts
      set registered = registered - (select count(*) from gone) - (select coalesce(sum(deleted), 0) from folded)
      where project_id = ${projectId}
      returning 1)
    select (select count(*) from gone)::int as n, (select count(*) from folded) as folded,
           (select count(*) from counted) as counted`.execute(db);
  return rows[0].n;
}

/** Rows the deletion of the oldest takes: the `n` oldest, locked in ID order, unchanged since they were picked. */
export function oldestTokens(projectId: string, n: number): RawBuilder<unknown> {
  // A token overwritten (registered again) after the pick is no longer among the oldest: the join
  // on its registration time, checked again against the row's newest version, leaves it out.
  return sql`
    delete from tokens t using (
      select t.token_id from tokens t
      join (select token_id, registered_at from tokens where project_id = ${projectId}
            order by registered_at, token_id limit ${n}) picked
        on t.token_id = picked.token_id and t.registered_at = picked.registered_at
      where t.project_id = ${projectId}
      order by t.token_id
      for update of t) locked
    where t.project_id = ${projectId} and t.token_id = locked.token_id
    returning 1`;
}
