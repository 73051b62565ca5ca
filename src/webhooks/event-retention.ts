// Webhook event retention: the worker's tick removes events delivered, or dead, before
// `--event-retention` (default 30 days), in bounded batches like session retention (retention.ts).
// Events still open (due, waiting for a retry, or parked until a webhook is declared) are kept,
// however old. The BRIN index on created_at (migration 017) keeps the search to the table's oldest
// blocks: with nothing old enough, it reads next to nothing.
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { batchBudget, inBatches } from '../db/batch-budget.js';
import type { RetentionOptions } from '../tokens/retention.js';

export const DEFAULT_EVENT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export async function removeOldEvents(db: Kysely<DatabaseSchema>, options: RetentionOptions): Promise<number> {
  const cutoff = new Date(options.now.getTime() - (options.retentionMs ?? DEFAULT_EVENT_RETENTION_MS));
  return inBatches(batchBudget(options), async (size) => {
    // An event was created before it was delivered or died: created_at bounds the search.
    const { rows } = await sql<{ n: number }>`
      with gone as (delete from token_events where id in (
        select id from token_events
        where created_at < ${cutoff} and (delivered_at < ${cutoff} or dead_at < ${cutoff})
        limit ${size}) returning 1)
      select count(*)::int as n from gone`.execute(db);
    return rows[0].n;
  });
}
