// `keys list`: every key of a project by fingerprint, dates and reveal record; never material.
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { UserError } from '../errors.js';
import { listApiKeys, type KeyInfo } from './api-key.js';
import { listEncryptionKeys, type EncryptionKeyInfo } from './encryption-keys.js';
import { listWebhookSecrets, type WebhookSecretInfo } from '../webhooks/webhook-secret.js';

export interface ProjectKeys {
  apiKeys: KeyInfo[];
  encryptionKeys: EncryptionKeyInfo[];
  webhookSecrets: WebhookSecretInfo[];
}

export async function listProjectKeys(db: Kysely<DatabaseSchema>, projectId: string): Promise<ProjectKeys> {
  const project = await db.selectFrom('projects').select('id').where('id', '=', projectId).executeTakeFirst();
  if (!project)
    throw new UserError(`project "${projectId}" does not exist`, 'argosctl history lists the applied projects');
  const [apiKeys, encryptionKeys, webhookSecrets] = await Promise.all([
    listApiKeys(db, projectId),
    listEncryptionKeys(db, projectId),
    listWebhookSecrets(db, projectId),
  ]);
  return { apiKeys, encryptionKeys, webhookSecrets };
}
