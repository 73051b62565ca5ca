// An unauthenticated client that holds only an encrypted Liveform value learns the
// token inside it from the refusal message (a decryption oracle for the `token` parameter).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptingKey } from '../../src/keys/encryption-keys.js';
import { encryptParams } from '../../src/url/liveform-url.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/cli.js';
import {
  TEST_MASTER_KEY,
  applyManifests,
  call,
  manifest,
  reveal,
  startService,
  type Service,
} from '../helpers/service.js';

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;

describe.skipIf(!postgres.available)('encrypted parameters stay unreadable to the caller', () => {
  const fresh = useFreshDatabase(postgres);
  const dir = tempDir();
  let svc: Service;
  let apiKey: string;
  beforeAll(async () => {
    const m = manifest(
      'vault',
      '  liveform:\n    tokens: { preRegistration: true }\n  encryption:\n    encryptedOnly: true\n    method: GCM\n' +
        '    keys:\n      - { name: k1, status: active }\n  security:\n    apiKey: { rotation: 1 }\n',
    );
    await applyManifests(fresh.database, { vault: m }, dir);
    apiKey = await reveal(fresh.database, 'vault'); // /check is the backend's question: it needs the key
    svc = await startService(fresh.database);
  });
  afterAll(() => svc?.close());

  it('a refusal never quotes the token that was inside the encrypted value', async () => {
    const key = await encryptingKey(fresh.database.db, 'vault', 'k1', () => TEST_MASTER_KEY);
    const encrypted = encryptParams({ token: 'SECRET-TOKEN-42', userid: 'u-1' }, key, 'GCM');
    for (const route of ['/v1/liveform/check', '/v1/liveform/start']) {
      const r = await call(svc.base, 'POST', route, { body: { pid: 'vault', encrypted }, key: apiKey });
      expect(r.status).toBe(403);
      expect(JSON.stringify(r.body)).not.toContain('SECRET-TOKEN-42');
    }
  });
});
