// Canary key material for the leak tests: every encryption key's sealed value replaced by the
// canary, sealed with the test file's master key under the row's own label, so whatever code
// opens a key really holds the canary (and a leak of it can be found).
import { seal } from '../../src/keys/seal.js';
import { encryptionKeyLabel } from '../../src/keys/sealed-columns.js';

type Query = (text: string, params?: unknown[]) => Promise<{ rows: unknown[] }>;

export const testMasterKey = (): Buffer => Buffer.from(process.env.ARGOS_MASTER_KEY!, 'base64');

export async function sealCanaryKeys(query: Query, canary: Buffer): Promise<number> {
  const { rows } = await query('select project_id, name, rotation from encryption_keys');
  for (const r of rows as { project_id: string; name: string; rotation: number }[]) {
    await query('update encryption_keys set sealed = $1 where project_id = $2 and name = $3 and rotation = $4', [
      seal(testMasterKey(), canary, encryptionKeyLabel(r.project_id, r.name, r.rotation)),
      r.project_id,
      r.name,
      r.rotation,
    ]);
  }
  return rows.length;
}
