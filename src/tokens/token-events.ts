// The webhook outbox: an expiry writes a `token_expired` event in the documented shape when the
// project, at that moment, has a webhook subscribed to token_expired (`subscribedToExpiry`, the
// condition the delivery claim applies too). Expiries of other projects write none: such events
// would never be delivered, yet every claim would read past them, and a webhook declared later
// would receive a flood of old expiries. The public docs name the moment `expired_at` or
// `expected_expired_at`: a count-based token expires at the use that spends it (expired_at); a
// time-based one at the end of the window fixed at its first use (expected_expired_at, the
// scheduled moment, whenever the worker noticed it).
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { chunksFor, jsonb } from '../db/sql-values.js';

/**
 * True when the projects row aliased `alias` has a webhook whose events include token_expired: the
 * one condition for writing, parking (migration 017, webhooks/parking.ts) and re-driving events.
 */
export function expirySubscribed(alias: string): RawBuilder<boolean> {
  const p = sql.ref(alias);
  return sql<boolean>`(${p}.webhook_url is not null and coalesce(${p}.webhook_events ? 'token_expired', false))`;
}

/**
 * True when the project is subscribed (expirySubscribed): the condition on which an expiry writes its
 * event, put in the SELECT of the insert itself (a plain read of the project row in the writing
 * statement: no lock, no extra round trip).
 */
export function subscribedToExpiry(projectId: string): RawBuilder<boolean> {
  return sql<boolean>`exists (select 1 from projects wp where wp.id = cast(${projectId} as text)
    and ${expirySubscribed('wp')})`;
}

export type TokenExpiredEvent =
  | { webhook_trigger: 'token_expired'; token_id: string; expired_condition: 'count'; expired_at: string }
  | { webhook_trigger: 'token_expired'; token_id: string; expired_condition: 'time'; expected_expired_at: string };

export function expiredEvent(tokenId: string, condition: 'count' | 'time', at: Date): TokenExpiredEvent {
  return condition === 'count'
    ? { webhook_trigger: 'token_expired', token_id: tokenId, expired_condition: 'count', expired_at: at.toISOString() }
    : {
        webhook_trigger: 'token_expired',
        token_id: tokenId,
        expired_condition: 'time',
        expected_expired_at: at.toISOString(),
      };
}

export async function writeExpiredEvents(
  tx: Transaction<DatabaseSchema>,
  projectId: string,
  expired: { tokenId: string; condition: 'count' | 'time'; at: Date }[],
): Promise<void> {
  const rows = expired.map((e) => ({ payload: jsonb(expiredEvent(e.tokenId, e.condition, e.at)) }));
  for (const chunk of chunksFor(rows))
    await sql`insert into token_events (project_id, payload)
      select cast(${projectId} as text), v.payload
      from (values ${sql.join(chunk.map((r, i) => sql`(${sql.lit(i)}, ${r.payload})`))}) as v(n, payload)
      where ${subscribedToExpiry(projectId)}
      order by v.n`.execute(tx);
}
