// Session retention: every `/v1/liveform/start` writes a liveform_sessions row (and the first use
// of a token not pre-registered a token_uses row). Without an end they grow for ever, so the
// worker's tick removes rows older than the retention (`--session-retention`, default 30 days),
// in bounded batches (each its own short statement), a budget of them per tick (db/batch-budget.ts):
// a backlog is worked off over the next ticks, never in one long pass.
import { sql, type Kysely } from 'kysely';
import { batchBudget, inBatches } from '../db/batch-budget.js';
import type { DatabaseSchema } from '../db/schema.js';

export const DEFAULT_SESSION_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export interface RetentionResult {
  sessionsDeleted: number;
  tokenUsesDeleted: number;
  /** Hourly traffic facts past --traffic-retention (traffic-retention.ts). */
  trafficRowsDeleted?: number;
  /** Webhook events delivered or dead before --event-retention (webhooks/event-retention.ts). */
  eventsDeleted?: number;
}

export interface RetentionOptions {
  now: Date;
  retentionMs?: number;
  batchSize?: number;
  maxBatches?: number;
  shouldStop?: () => boolean;
}

/** A session is old once it started before the cutoff; a token use once its last event (use or result) was. */
export async function removeExpiredSessions(
  db: Kysely<DatabaseSchema>,
  options: RetentionOptions,
): Promise<RetentionResult> {
  const cutoff = new Date(options.now.getTime() - (options.retentionMs ?? DEFAULT_SESSION_RETENTION_MS));
  const budget = batchBudget(options);
  const result: RetentionResult = { sessionsDeleted: 0, tokenUsesDeleted: 0 };
  result.sessionsDeleted = await inBatches(budget, async (size) => {
    const { rows } = await sql<{ n: number }>`
      with gone as (delete from liveform_sessions where id in (
        select id from liveform_sessions where started_at < ${cutoff} limit ${size}) returning 1)
      select count(*)::int as n from gone`.execute(db);
    return rows[0].n;
  });
  result.tokenUsesDeleted = await inBatches(budget, async (size) => {
    const { rows } = await sql<{ n: number }>`
      with gone as (delete from token_uses where (project_id, token_id) in (
        select project_id, token_id from token_uses
        where coalesce(final_at, first_used_at) < ${cutoff} limit ${size}) returning 1)
      select count(*)::int as n from gone`.execute(db);
    return rows[0].n;
  });
  return result;
}
