// The audit row of an operation no plan carries: a master-key rewrap, a webhook redrive. Written in
// the transaction of the operation itself, so the trail has it exactly when it happened.
import type { Transaction } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import type { JsonObject } from '../model/project-settings.js';

export interface AuditEvent {
  kind: 'rewrap' | 'redrive';
  actor: string;
  projectId: string | null;
  /** Counts and ids only: never a secret. */
  detail: JsonObject;
}

export async function recordAuditEvent(tx: Transaction<DatabaseSchema>, event: AuditEvent): Promise<void> {
  await tx
    .insertInto('audit_events')
    .values({
      kind: event.kind,
      actor: event.actor,
      project_id: event.projectId,
      detail: JSON.stringify(event.detail),
    })
    .execute();
}
