// What autovacuum does for a PostgreSQL server, done for the embedded database, which has no
// background workers: a table is analyzed once enough of its rows changed since its last analysis,
// and vacuumed once enough are dead, with autovacuum's default thresholds. Without it a PGlite
// database is never analyzed: the planner guesses every table holds a few hundred rows and, at
// 100,000 tokens, reads a whole project's tokens and sorts them for each page of a listing (a
// 10,000-token page: 277 ms, against 29 ms once analyzed); and the rows that pruning and admissions
// leave dead are never reclaimed, so a long-running `serve` or `worker` on a folder grows it.
// Run when an embedded database is closed, and every minute while a service holds one open.
import { sql, type Kysely } from 'kysely';

/** autovacuum_naptime: how often a long-running process looks. */
export const MAINTENANCE_INTERVAL_MS = 60_000;

export interface MaintenanceDone {
  analyzed: string[];
  vacuumed: string[];
}

/**
 * Analyzes (and vacuums) the tables past autovacuum's thresholds: changed rows over 50 + 10% of the
 * rows the table had at its last analysis, dead rows over 50 + 20%. The statistics counters are
 * flushed first: a backend sends them at most once a second, so the last second's writes would
 * otherwise wait for the next look.
 */
export async function maintainEmbedded<T>(db: Kysely<T>): Promise<MaintenanceDone> {
  await sql`select pg_stat_force_next_flush()`.execute(db);
  const { rows } = await sql<{ name: string; analyze: boolean; vacuum: boolean }>`
    select name, changed > 50 + 0.1 * tuples as analyze, dead > 50 + 0.2 * tuples as vacuum
    from (select quote_ident(c.relname) as name, greatest(c.reltuples, 0) as tuples,
                 pg_stat_get_mod_since_analyze(c.oid) as changed, pg_stat_get_dead_tuples(c.oid) as dead
          from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind = 'r') t
    where changed > 50 + 0.1 * tuples or dead > 50 + 0.2 * tuples
    order by 1`.execute(db);
  const vacuumed = rows.filter((r) => r.vacuum).map((r) => r.name);
  const analyzed = rows.filter((r) => r.analyze && !r.vacuum).map((r) => r.name);
  // Names come from the catalog, quoted by quote_ident.
  if (vacuumed.length) await sql.raw(`vacuum (analyze) ${vacuumed.join(', ')}`).execute(db);
  if (analyzed.length) await sql.raw(`analyze ${analyzed.join(', ')}`).execute(db);
  return { analyzed, vacuumed };
}
