// Traffic facts retention: the worker's tick removes hourly rows older than `--traffic-retention`
// (default 30 days) in bounded batches, like session retention (retention.ts): a backlog is
// worked off over the next ticks, never in one long statement.
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { RETENTION_BATCH, RETENTION_MAX_BATCHES } from './retention.js';

export const DEFAULT_TRAFFIC_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export async function removeExpiredTraffic(
  db: Kysely<DatabaseSchema>,
  options: { now: Date; retentionMs?: number; batchSize?: number; maxBatches?: number; shouldStop?: () => boolean },
): Promise<number> {
  const cutoff = new Date(options.now.getTime() - (options.retentionMs ?? DEFAULT_TRAFFIC_RETENTION_MS));
  const batch = options.batchSize ?? RETENTION_BATCH;
  const maxBatches = options.maxBatches ?? RETENTION_MAX_BATCHES;
  let deleted = 0;
  for (let i = 0; i < maxBatches && !(options.shouldStop?.() ?? false); i++) {
    const { rows } = await sql<{ n: number }>`
      with gone as (delete from traffic_facts where ctid in (
        select ctid from traffic_facts where hour < ${cutoff} limit ${batch}) returning 1)
      select count(*)::int as n from gone`.execute(db);
    deleted += rows[0].n;
    if (rows[0].n < batch) break;
  }
  return deleted;
}
