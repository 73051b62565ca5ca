// Parking (migration 017) settled at the worker's tick: what the trigger on the projects' webhook
// columns cannot see. An expiry written while an apply removes its project's webhook read the
// webhook before the apply committed, and the apply's trigger did not see its uncommitted row, so
// the event sits unparked in the claim's way; a project deleted or created again by hand fires no
// trigger. Each tick parks the open events of projects without a webhook for them, and unparks the
// parked events of projects with one, in bounded batches (each its own short statement).
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { batchBudget, inBatches } from '../db/batch-budget.js';
import { expirySubscribed } from '../tokens/token-events.js';

export async function settleParking(
  db: Kysely<DatabaseSchema>,
  options: { batchSize?: number; maxBatches?: number; shouldStop?: () => boolean } = {},
): Promise<{ parked: number; unparked: number }> {
  const budget = batchBudget(options);
  const settle = (park: boolean) =>
    inBatches(budget, async (size) => {
      const { rows } = await sql<{ n: number }>`
        with moved as (update token_events set parked = ${park} where id in (
          select e.id from token_events e
          where e.delivered_at is null and e.dead_at is null and e.parked = ${!park}
            and ${park ? sql`not` : sql``} exists (select 1 from projects p where p.id = e.project_id and ${expirySubscribed('p')})
          limit ${size} for update skip locked) returning 1)
        select count(*)::int as n from moved`.execute(db);
      return rows[0].n;
    });
  const unparked = await settle(false);
  const parked = await settle(true);
  return { parked, unparked };
}
