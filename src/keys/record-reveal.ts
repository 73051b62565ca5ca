// The audit row of a reveal: which secret of which project, its generation and fingerprint, and who
// saw it (the time is the row's default). One writer for API keys, encryption keys and webhook secrets.
import type { Transaction } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';

export interface Reveal {
  projectId: string;
  /** `api-key`, `webhook-secret`, or `encryption-key:NAME`. */
  secret: string;
  rotation: number;
  fingerprint: string;
  actor: string;
}

export async function recordReveal(tx: Transaction<DatabaseSchema>, reveal: Reveal): Promise<void> {
  await tx
    .insertInto('key_reveals')
    .values({
      project_id: reveal.projectId,
      secret: reveal.secret,
      rotation: reveal.rotation,
      fingerprint: reveal.fingerprint,
      revealed_by: reveal.actor,
    })
    .execute();
}
