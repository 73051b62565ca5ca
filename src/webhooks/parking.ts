// Parking (migration 017) settled at the worker's tick: what the trigger on the projects' webhook
// columns cannot see. An expiry written while an apply removes its project's webhook read the
// webhook before the apply committed, and the apply's trigger did not see its uncommitted row, so
// the event sits unparked in the claim's way; a project deleted or created again by hand fires no
// trigger. Each tick parks the open events of projects without a webhook for them, and unparks the
// parked events of projects with one, in bounded batches (each its own short statement).
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { RETENTION_BATCH, RETENTION_MAX_BATCHES } from '../tokens/retention.js';

const SUBSCRIBED = sql`p.webhook_url is not null and p.webhook_events ? 'token_expired'`;

export async function settleParking(
  db: Kysely<DatabaseSchema>,
  options: { batchSize?: number; maxBatches?: number; shouldStop?: () => boolean } = {},
): Promise<{ parked: number; unparked: number }> {
  const batch = options.batchSize ?? RETENTION_BATCH;
  const maxBatches = options.maxBatches ?? RETENTION_MAX_BATCHES;
  const stop = options.shouldStop ?? (() => false);
  const result = { parked: 0, unparked: 0 };
  const settle = (park: boolean) =>
    sql<{ n: number }>`
      with moved as (update token_events set parked = ${park} where id in (
        select e.id from token_events e
        where e.delivered_at is null and e.dead_at is null and e.parked = ${!park}
          and ${park ? sql`not` : sql``} exists (select 1 from projects p where p.id = e.project_id and ${SUBSCRIBED})
        limit ${batch} for update skip locked) returning 1)
      select count(*)::int as n from moved`.execute(db);
  let batches = 0;
  for (const [park, field] of [
    [false, 'unparked'],
    [true, 'parked'],
  ] as const) {
    while (batches < maxBatches && !stop()) {
      batches++;
      const n = (await settle(park)).rows[0].n;
      result[field] += n;
      if (n < batch) break;
    }
  }
  return result;
}
