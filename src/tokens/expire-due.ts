// Time-based expiry as it happens: each delivery pass of the worker (every few seconds) marks the
// tokens whose window has passed and writes their token_expired events (for projects whose webhook
// is subscribed to token_expired), instead of waiting for the next 10-minute prune or the token's
// next use. One query finds the projects with due tokens
// (an index probe per project on tokens_expiring); each is then marked in short batches. Replicas
// may sweep at once: rows are claimed with SKIP LOCKED and re-checked, so each event is written once.
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { markExpiredBatch, PRUNE_BATCH } from './prune.js';

export interface ExpirySweep {
  projects: number;
  expired: number;
}

export async function expireDueTokens(
  db: Kysely<DatabaseSchema>,
  now: Date,
  options: { batchSize?: number; shouldStop?: () => boolean } = {},
): Promise<ExpirySweep> {
  const batch = options.batchSize ?? PRUNE_BATCH;
  const { rows } = await sql<{ id: string }>`
    select p.id from projects p
    where exists (select 1 from tokens t where t.project_id = p.id and t.expired_at is null and t.expires_at <= ${now})
    order by p.id`.execute(db);
  let expired = 0;
  for (const { id } of rows) {
    for (;;) {
      if (options.shouldStop?.()) return { projects: rows.length, expired };
      const n = await markExpiredBatch(db, id, now, batch);
      expired += n;
      if (n < batch) break;
    }
  }
  return { projects: rows.length, expired };
}
