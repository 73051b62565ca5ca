// Encryption key rotation from the manifest: `rotate: N` issues new material under the same name, a
// new name adds a key; the previous or retired material keeps opening URLs for retiredKeyValidFor
// (7d by default, said in the plan), then stops; reactivating a retired key is guarded.
import { describe, expect, it } from 'vitest';
import { listEncryptionKeys, openingKeys, revealEncryptionKey } from '../../src/keys/encryption-keys.js';
import { diffProjects } from '../../src/plan/diff.js';
import { desired, project, stateOf } from '../helpers/builders.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { planDir } from '../helpers/apply.js';
import { tempDir } from '../helpers/cli.js';
import { TEST_MASTER_KEY, applyManifests, manifest } from '../helpers/service.js';

const keys = (lines: string, grace = '') =>
  manifest('rot', `  encryption:\n${grace ? `    retiredKeyValidFor: ${grace}\n` : ''}    keys:\n${lines}`);

describe('key changes in the plan', () => {
  const key = (status: 'active' | 'retired', rotate?: number) => ({
    name: 'k1',
    status,
    ...(rotate ? { rotate } : {}),
  });
  const change = (before: ReturnType<typeof key>, after: ReturnType<typeof key>, grace: number | null = null) =>
    diffProjects(
      [desired(project('a', { encryptionKeys: [after], encryptionRetiredValidSeconds: grace }))],
      stateOf(project('a', { encryptionKeys: [before], encryptionRetiredValidSeconds: grace })),
      true,
    ).changes;

  it('a rotation says new material and the grace of the old one; retiring and reactivating are guarded', () => {
    expect(change(key('active'), key('active', 2))).toMatchObject([
      {
        action: 'update',
        member: 'k1',
        before: { status: 'active' },
        after: { status: 'active', rotate: 2 },
        reason:
          'k1 differs: rotate 1 → 2: new material is issued; the previous material keeps opening URLs for 7d after apply, then stops',
      },
    ]);
    expect(change(key('active'), key('active', 2))[0].risk).toBeUndefined();
    expect(change(key('active'), key('retired'), 86_400)).toMatchObject([
      { risk: ['retire-key'], reason: expect.stringMatching(/keeps opening URLs for 1d after apply/) },
    ]);
    expect(change(key('retired'), key('active'))).toMatchObject([
      { risk: ['reactivate-key'], reason: expect.stringMatching(/reactivated/) },
    ]);
    expect(change(key('active', 3), key('active'))).toMatchObject([
      { risk: ['retire-key'], reason: expect.stringMatching(/rotate lowered 3 → 1: the newer material is destroyed/) },
    ]);
  });
});

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;

describe.skipIf(!postgres.available)('key rotation on postgres', () => {
  const fresh = useFreshDatabase(postgres);
  const dir = tempDir();
  const opening = async (at: Date) =>
    (await openingKeys(fresh.database.db, 'rot', at, () => TEST_MASTER_KEY))
      .map((k) => `${k.name}.${k.rotation}`)
      .sort();
  const hour = 3600_000;

  it('rotate: 2 issues new material; the previous keeps opening for the grace period and not after; the new one can be revealed', async () => {
    await applyManifests(fresh.database, { rot: keys('      - { name: k1, status: active }\n', '1h') }, dir);
    const first = await revealEncryptionKey(fresh.database.db, 'rot', 'k1', 'test', () => TEST_MASTER_KEY);
    await applyManifests(fresh.database, { rot: keys('      - { name: k1, status: active, rotate: 2 }\n', '1h') }, dir);
    expect((await planDir(fresh.database, `${dir}/projects`)).changes).toEqual([]);
    const t = Date.now();
    expect(await opening(new Date(t))).toEqual(['k1.1', 'k1.2']);
    expect(await opening(new Date(t + hour - 60_000))).toEqual(['k1.1', 'k1.2']);
    expect(await opening(new Date(t + hour + 60_000))).toEqual(['k1.2']);
    const second = await revealEncryptionKey(fresh.database.db, 'rot', 'k1', 'test', () => TEST_MASTER_KEY);
    expect(second.rotation).toBe(2);
    expect(second.material.equals(first.material)).toBe(false);
    expect(
      (await listEncryptionKeys(fresh.database.db, 'rot')).map((k) => [k.rotation, k.current, k.validUntil === null]),
    ).toEqual([
      [1, false, false],
      [2, true, true],
    ]);
  });

  it('a new name plus retiring the old: the retired key opens for the grace period, then stops; reactivating makes it open again', async () => {
    await applyManifests(
      fresh.database,
      { rot: keys('      - { name: k1, status: retired, rotate: 2 }\n      - { name: k2, status: active }\n', '1h') },
      dir,
    );
    const t = Date.now();
    expect(await opening(new Date(t))).toEqual(['k1.1', 'k1.2', 'k2.1']);
    expect(await opening(new Date(t + hour + 60_000))).toEqual(['k2.1']);
    await applyManifests(
      fresh.database,
      { rot: keys('      - { name: k1, status: active, rotate: 2 }\n      - { name: k2, status: active }\n', '1h') },
      dir,
    );
    expect(await opening(new Date(t + 2 * hour))).toEqual(['k1.2', 'k2.1']);
    expect((await planDir(fresh.database, `${dir}/projects`)).changes).toEqual([]);
  });
});
