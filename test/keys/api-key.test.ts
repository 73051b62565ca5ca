// API keys: issued at apply and stored only as a hash; revealed once (audited), then the sealed
// copy is gone; a rotation keeps the previous key for previousKeyValidFor; removing the setting
// revokes. The key never shows in plans or audit rows.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listApiKeys, revealApiKey } from '../../src/keys/api-key.js';
import { open, seal } from '../../src/keys/seal.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { planDir } from '../helpers/apply.js';
import {
  TEST_MASTER_KEY,
  applyManifests,
  call,
  manifest,
  reveal,
  startService,
  type Service,
} from '../helpers/service.js';
import { tempDir } from '../helpers/cli.js';
import { desired, project, stateOf } from '../helpers/builders.js';
import { diffProjects } from '../../src/plan/diff.js';

const withKey = (rotation: number, validFor?: string) =>
  manifest(
    'keyed',
    `  security:\n    apiKey: { rotation: ${rotation}${validFor ? `, previousKeyValidFor: ${validFor}` : ''} }\n`,
  );

describe('the API key in the planner', () => {
  it('a rotation is a plain update of a number; removing the key is guarded as revoke-api-key', () => {
    const current = project('a', { apiKeyRotation: 1, apiKeyPreviousValidSeconds: 86_400 });
    const bump = diffProjects(
      [desired(project('a', { apiKeyRotation: 2, apiKeyPreviousValidSeconds: 86_400 }))],
      stateOf(current),
      true,
    ).changes;
    expect(bump).toMatchObject([{ action: 'update', path: 'spec.security.apiKey.rotation', before: 1, after: 2 }]);
    expect(bump[0].risk).toBeUndefined();
    const removal = diffProjects([desired(project('a'))], stateOf(current), true).changes;
    expect(removal.find((c) => c.path === 'spec.security.apiKey.rotation')?.risk).toEqual(['revoke-api-key']);
  });
});

describe('seal', () => {
  it('opens what it sealed, and refuses another label, another key or a changed byte', () => {
    const sealed = seal(TEST_MASTER_KEY, Buffer.from('argos_secret'), 'api-key:p:1');
    expect(open(TEST_MASTER_KEY, sealed, 'api-key:p:1').toString()).toBe('argos_secret');
    expect(() => open(TEST_MASTER_KEY, sealed, 'api-key:q:1')).toThrow(/cannot open/);
    expect(() => open(Buffer.alloc(32, 1), sealed, 'api-key:p:1')).toThrow(/cannot open/);
    const altered = Buffer.from(sealed);
    altered[altered.length - 1] ^= 1;
    expect(() => open(TEST_MASTER_KEY, altered, 'api-key:p:1')).toThrow(/cannot open/);
  });
});

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`API keys on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    let svc: Service;
    let clock = new Date();
    let firstKey = '';
    const dir = tempDir();
    const count = (key: string) =>
      call(svc.base, 'GET', '/v1/projects/keyed/tokens/count', { key }).then((r) => r.status);

    beforeAll(async () => {
      await applyManifests(fresh.database, { keyed: withKey(1) }, dir);
      svc = await startService(fresh.database, { now: () => clock });
    });
    afterAll(() => svc?.close());

    it('stores a hash and a fingerprint, reveals the key once (audited), then refuses and says to rotate', async () => {
      const [row] = await fresh.database.db.selectFrom('api_keys').selectAll().execute();
      expect(row.key_hash).toHaveLength(32);
      expect(row.fingerprint).toMatch(/^sha256:[0-9a-f]{12}$/);
      const key = (firstKey = await reveal(fresh.database, 'keyed'));
      expect(key).toMatch(/^argos_[A-Za-z0-9_-]{43}$/);
      const stored = JSON.stringify(await fresh.database.db.selectFrom('api_keys').selectAll().execute());
      expect(stored).not.toContain(key.slice(6));
      expect(
        (await fresh.database.db.selectFrom('api_keys').select('sealed').executeTakeFirstOrThrow()).sealed,
      ).toBeNull();
      const audit = await fresh.database.db.selectFrom('key_reveals').selectAll().execute();
      expect(audit).toMatchObject([{ project_id: 'keyed', secret: 'api-key', rotation: 1, revealed_by: 'test' }]);
      await expect(revealApiKey(fresh.database.db, 'keyed', 'test', () => TEST_MASTER_KEY)).rejects.toThrow(
        /already revealed[\s\S]*/,
      );
      await expect(revealApiKey(fresh.database.db, 'keyed', 'test', () => TEST_MASTER_KEY)).rejects.toMatchObject({
        hint: expect.stringMatching(/rotation to 2/),
      });
      expect(await count(key)).toBe(200);
    });

    it('a rotation issues a new key and keeps the previous one valid, with only the new one revealable', async () => {
      await applyManifests(fresh.database, { keyed: withKey(2, '1h') }, dir);
      expect((await planDir(fresh.database, `${dir}/projects`)).changes).toEqual([]);
      const second = await reveal(fresh.database, 'keyed');
      const keys = await listApiKeys(fresh.database.db, 'keyed');
      expect(keys.map((k) => [k.rotation, k.validUntil === null, k.revealable])).toEqual([
        [1, false, false],
        [2, true, false],
      ]);
      expect([await count(firstKey), await count(second)]).toEqual([200, 200]);
    });

    it('the previous key is refused after its grace period (the same key that worked before)', async () => {
      // A fresh rotation with a known previous key: rotation 3, reveal, rotation 4 with 1h grace.
      clock = new Date();
      await applyManifests(fresh.database, { keyed: withKey(3, '1h') }, dir);
      const k3 = await reveal(fresh.database, 'keyed');
      await applyManifests(fresh.database, { keyed: withKey(4, '1h') }, dir);
      const k4 = await reveal(fresh.database, 'keyed');
      expect([await count(k3), await count(k4)]).toEqual([200, 200]);
      clock = new Date(Date.now() + 3601_000);
      expect([await count(k3), await count(k4)]).toEqual([401, 200]);
    });

    it('the plan shows the rotation number only; audit rows hold no key material', async () => {
      clock = new Date();
      const plan = await applyManifests(fresh.database, { keyed: withKey(5) }, dir).then(() =>
        planDir(fresh.database, `${dir}/projects`),
      );
      expect(plan.changes).toEqual([]);
      const audit = await sql<{
        path: string;
        before: unknown;
        after: unknown;
      }>`select path, before, after from audit_log where path like 'spec.security.apiKey%' order by id`.execute(
        fresh.database.db,
      );
      expect(audit.rows.at(-1)).toMatchObject({ path: 'spec.security.apiKey.rotation', before: 4, after: 5 });
      const k5 = await reveal(fresh.database, 'keyed');
      const everything = JSON.stringify((await sql`select * from audit_log`.execute(fresh.database.db)).rows);
      expect(everything).not.toContain(k5);
      expect(everything).not.toMatch(/argos_[A-Za-z0-9_-]{43}/);
    });

    it('removing spec.security.apiKey revokes every key', async () => {
      const k = await (async () => {
        await applyManifests(fresh.database, { keyed: withKey(6) }, dir);
        return reveal(fresh.database, 'keyed');
      })();
      expect(await count(k)).toBe(200);
      await applyManifests(fresh.database, { keyed: manifest('keyed', '') }, dir);
      expect(await count(k)).toBe(401);
    });
  });
}
