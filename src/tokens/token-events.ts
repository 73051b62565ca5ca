// The webhook outbox: every expiry writes a `token_expired` event in the documented shape.
import type { Transaction } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { chunksFor, jsonb } from '../db/sql-values.js';

export interface TokenExpiredEvent {
  webhook_trigger: 'token_expired';
  token_id: string;
  expired_condition: 'count' | 'time';
  expired_at: string;
}

export function expiredEvent(tokenId: string, condition: 'count' | 'time', at: Date): TokenExpiredEvent {
  return { webhook_trigger: 'token_expired', token_id: tokenId, expired_condition: condition, expired_at: at.toISOString() };
}

export async function writeExpiredEvents(tx: Transaction<DatabaseSchema>, projectId: string, expired: { tokenId: string; condition: 'count' | 'time'; at: Date }[]): Promise<void> {
  const rows = expired.map((e) => ({
    project_id: projectId,
    payload: jsonb(expiredEvent(e.tokenId, e.condition, e.at)),
  }));
  for (const chunk of chunksFor(rows)) await tx.insertInto('token_events').values(chunk).execute();
}
