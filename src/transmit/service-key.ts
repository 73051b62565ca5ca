// Secure transmission the other way: request bodies. The project's own key (spec.security.
// secureTransmission.publicKey) is the customer's: the service seals answers and webhooks for it,
// and cannot open anything sealed for it. So each project gets a key pair of the service's own
// (EC P-256): clients seal request bodies for its public key (`argosctl transmit service-key`
// prints it; the envelope is the one `transmit seal` writes), and `serve` opens them with the
// private key, which is stored sealed with the master key (rewrapped with the other sealed columns).
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { checkedMasterKey } from '../keys/master-key-check.js';
import type { MasterKeySource } from '../keys/master-key.js';
import { open as openSealed, seal as sealWithMaster } from '../keys/seal.js';
import { serviceTransmissionKeyLabel } from '../keys/sealed-columns.js';
import { TokenError } from '../tokens/token-errors.js';
import { keyFingerprint } from './fingerprint.js';
import { open } from './open.js';
import { TransmitError } from './transmit-error.js';

export interface ServiceKey {
  /** SPKI PEM: what clients seal request bodies for. */
  publicKeyPem: string;
  fingerprint: string;
}

/** The project's service key, made on first use (needs the master key then); an unknown project is an error. */
export async function serviceKey(
  db: Kysely<DatabaseSchema>,
  projectId: string,
  masterKey: () => Buffer,
  masterKeySource?: MasterKeySource,
): Promise<ServiceKey> {
  const stored = await readServiceKey(db, projectId);
  if (stored) return stored;
  const project = await db.selectFrom('projects').select('id').where('id', '=', projectId).executeTakeFirst();
  if (!project)
    throw new TransmitError(
      `the database holds no project ${JSON.stringify(projectId).slice(0, 80)}`,
      'check the project id, or apply its manifest first',
    );
  // Checked and written in one transaction, under the master-key lock: no rewrap moves the sealed
  // values between the check and the insert.
  await db.transaction().execute(async (tx) => {
    const sealingKey = await checkedMasterKey(tx, masterKey, masterKeySource);
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const publicKeyPem = String(pair.publicKey.export({ type: 'spki', format: 'pem' }));
    const der = pair.privateKey.export({ type: 'pkcs8', format: 'der' });
    await tx
      .insertInto('service_transmission_keys')
      .values({
        project_id: projectId,
        public_key: publicKeyPem,
        fingerprint: keyFingerprint(pair.publicKey),
        sealed: sealWithMaster(sealingKey, der, serviceTransmissionKeyLabel(projectId)),
      })
      .onConflict((oc) => oc.column('project_id').doNothing()) // a concurrent first use made one: it wins
      .execute();
  });
  return (await readServiceKey(db, projectId))!;
}

async function readServiceKey(db: Kysely<DatabaseSchema>, projectId: string): Promise<ServiceKey | undefined> {
  const row = await db
    .selectFrom('service_transmission_keys')
    .select(['public_key', 'fingerprint'])
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  return row ? { publicKeyPem: row.public_key, fingerprint: row.fingerprint } : undefined;
}

const MAX_CACHED = 256;
const privateKeys = new Map<string, KeyObject>();

/**
 * The plaintext of a request body sealed for the project's service key. Every failure is
 * `transmission_invalid` with one plain sentence (the body is untrusted; nothing of it is quoted).
 */
export async function openRequestBody(
  db: Kysely<DatabaseSchema>,
  projectId: string,
  envelope: string,
  masterKey: () => Buffer,
): Promise<Buffer> {
  const row = await db
    .selectFrom('service_transmission_keys')
    .select(['sealed', 'fingerprint'])
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  if (!row)
    throw new TokenError(
      'transmission_invalid',
      `project "${projectId}" has no service key yet, so nothing can have been sealed for it`,
      `argosctl transmit service-key ${projectId} makes and prints it`,
    );
  const cacheKey = `${projectId}\u0000${row.fingerprint}`;
  let key = privateKeys.get(cacheKey);
  if (!key) {
    key = createPrivateKey({
      key: openSealed(masterKey(), row.sealed, serviceTransmissionKeyLabel(projectId)),
      format: 'der',
      type: 'pkcs8',
    });
    if (privateKeys.size >= MAX_CACHED) privateKeys.clear();
    privateKeys.set(cacheKey, key);
  }
  try {
    return open(key, envelope);
  } catch (err) {
    const reason = err instanceof TransmitError ? err.message : 'it cannot be opened';
    throw new TokenError('transmission_invalid', `the sealed request body was refused: ${reason}`);
  }
}
