// Projects with token policies, written straight into the database for token tests.
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../../src/db/schema.js';

export interface TokenPolicy {
  preRegistration?: boolean;
  expiration?: 'none' | 'count' | 'time';
  seconds?: number;
  deleteOnExpiration?: boolean;
  volume?: { start: number; ratio: number; priority?: 'oldest-first' | 'newest-first' };
  privateMode?: boolean;
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
    })
    .execute();
}

export function ids(prefix: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(from + i).padStart(8, '0')}`);
}
