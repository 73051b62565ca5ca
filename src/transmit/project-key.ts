// The public key a project's secure transmission seals to, as apply stored it (canonical SPKI PEM).
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { UserError } from '../errors.js';

export interface ProjectTransmissionKey {
  pem: string;
  /** spec.security.secureTransmission.enabled: a key may be stored while the setting is off. */
  enabled: boolean;
}

export async function projectTransmissionKey(
  db: Kysely<DatabaseSchema>,
  projectId: string,
): Promise<ProjectTransmissionKey> {
  const row = await db
    .selectFrom('projects')
    .select(['secure_transmission', 'secure_transmission_public_key'])
    .where('id', '=', projectId)
    .executeTakeFirst();
  if (!row)
    throw new UserError(
      `the database holds no project ${JSON.stringify(projectId).slice(0, 80)}`,
      'check the project id, or apply its manifest first',
    );
  if (!row.secure_transmission_public_key) {
    throw new UserError(
      `project ${JSON.stringify(projectId).slice(0, 80)} has no secure-transmission public key`,
      'set spec.security.secureTransmission.publicKey in its manifest and apply, or pass --public-key FILE',
    );
  }
  return { pem: row.secure_transmission_public_key, enabled: row.secure_transmission };
}
