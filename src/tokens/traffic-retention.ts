// Traffic facts retention: the worker's tick removes hourly rows older than `--traffic-retention`
// (default 30 days) in bounded batches, like session retention (retention.ts): a backlog is
// worked off over the next ticks, never in one long statement.
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { batchBudget, inBatches } from '../db/batch-budget.js';

export const DEFAULT_TRAFFIC_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export async function removeExpiredTraffic(
  db: Kysely<DatabaseSchema>,
  options: { now: Date; retentionMs?: number; batchSize?: number; maxBatches?: number; shouldStop?: () => boolean },
): Promise<number> {
  const cutoff = new Date(options.now.getTime() - (options.retentionMs ?? DEFAULT_TRAFFIC_RETENTION_MS));
  return inBatches(batchBudget(options), async (size) => {
    const { rows } = await sql<{ n: number }>`
      with gone as (delete from traffic_facts where ctid in (
        select ctid from traffic_facts where hour < ${cutoff} limit ${size}) returning 1)
      select count(*)::int as n from gone`.execute(db);
    return rows[0].n;
  });
}
