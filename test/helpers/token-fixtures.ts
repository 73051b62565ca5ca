// Projects with token policies, written straight into the database for token tests.
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../../src/db/schema.js';
import { jsonb } from '../../src/db/sql-values.js';

export interface TokenPolicy {
  preRegistration?: boolean;
  expiration?: 'none' | 'count' | 'time';
  seconds?: number;
  deleteOnExpiration?: boolean;
  volume?: { start: number; ratio: number; priority?: 'oldest-first' | 'newest-first' };
  privateMode?: boolean;
  /**
   * A webhook (to a closed port; nothing here delivers): expiries write token_expired events only
   * for a project whose webhook's events include token_expired (the default).
   */
  webhook?: { events?: string[] };
}

/** The columns of a webhook to a closed port, subscribed to `events` (token_expired by default). */
export function webhookColumns(events: string[] = ['token_expired']) {
  return {
    webhook_url: 'http://127.0.0.1:9/hook',
    webhook_events: jsonb(events) as never,
    webhook_secret_rotation: 1,
  };
}

export async function tokenProject(db: Kysely<DatabaseSchema>, id: string, p: TokenPolicy = {}): Promise<void> {
  const pre = p.preRegistration ?? true;
  await db
    .insertInto('projects')
    .values({
      id,
      name: id,
      labels: sql`'{}'::jsonb` as never,
      status: 'TEST',
      submissions: 'normal',
      private_mode: p.privateMode ?? false,
      token_pre_registration: pre,
      token_expiration_mode: p.expiration ?? 'none',
      token_expiration_seconds: p.expiration === 'time' ? (p.seconds ?? 3600) : null,
      token_delete_on_expiration: p.deleteOnExpiration ?? false,
      token_volume_start_threshold: p.volume?.start ?? null,
      token_volume_ratio: p.volume?.ratio ?? null,
      token_volume_priority: p.volume ? (p.volume.priority ?? 'oldest-first') : null,
      encrypted_only: false,
      privacy_protection: false,
      secure_transmission: false,
      secure_transmission_public_key: null,
      ...(p.webhook ? webhookColumns(p.webhook.events) : {}),
    })
    .execute();
}

export function ids(prefix: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(from + i).padStart(8, '0')}`);
}

/** The project's token_expired events (their payloads), oldest first. */
export async function expiryEvents(db: Kysely<DatabaseSchema>, project: string): Promise<Record<string, unknown>[]> {
  const { rows } = await sql<{ payload: Record<string, unknown> }>`
    select payload from token_events where project_id = ${project} order by id`.execute(db);
  return rows.map((r) => r.payload);
}
