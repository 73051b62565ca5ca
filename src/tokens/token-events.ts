// The webhook outbox: every expiry writes a `token_expired` event in the documented shape. The
// public docs name the moment `expired_at` or `expected_expired_at`: a count-based token expires
// at the use that spends it (expired_at); a time-based one at the end of the window fixed at its
// first use (expected_expired_at, the scheduled moment, whenever the worker noticed it).
import type { Transaction } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { chunksFor, jsonb } from '../db/sql-values.js';

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
  const rows = expired.map((e) => ({
    project_id: projectId,
    payload: jsonb(expiredEvent(e.tokenId, e.condition, e.at)),
  }));
  for (const chunk of chunksFor(rows)) await tx.insertInto('token_events').values(chunk).execute();
}
