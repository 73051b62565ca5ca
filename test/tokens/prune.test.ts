// The pruning pass: expiry deletion, volume deletion by threshold, ratio and priority, dry runs,
// and the record of each pass.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { prunePass } from '../../src/tokens/prune.js';
import { countTokens, registerTokens } from '../../src/tokens/token-store.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { ids, tokenProject } from '../helpers/token-fixtures.js';

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`prune on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    let database: Database;
    beforeAll(async () => {
      database = fresh.database;
      await tokenProject(database.db, 'exp', { expiration: 'count', deleteOnExpiration: true });
      await tokenProject(database.db, 'keep', { expiration: 'count', deleteOnExpiration: false });
      await tokenProject(database.db, 'vol', { volume: { start: 1, ratio: 20 } });
      await tokenProject(database.db, 'newest', { volume: { start: 1, ratio: 10, priority: 'newest-first' } });
      await tokenProject(database.db, 'below', { volume: { start: 50, ratio: 20 } });
      for (const p of ['exp', 'keep']) {
        await registerTokens(database.db, p, ids(p, 10));
        await sql`update tokens set expired_at = now() where project_id = ${p} and token_id <= ${`${p}-00000003`}`.execute(
          database.db,
        );
      }
      // registered in two batches so "oldest" has a meaning
      for (const p of ['vol', 'newest']) {
        await registerTokens(database.db, p, ids('old', 1000));
        await sql`update tokens set registered_at = now() - interval '1 day' where project_id = ${p}`.execute(
          database.db,
        );
        await registerTokens(database.db, p, ids('new', 1000));
      }
      await registerTokens(database.db, 'below', ids('b', 100));
    });

    it('--dry-run reports what a pass would delete and deletes nothing', async () => {
      const results = await prunePass(database.db, { dryRun: true });
      expect(results.find((r) => r.projectId === 'exp')).toMatchObject({
        expiredDeleted: 4,
        volumeDeleted: 0,
        registeredAfter: 6,
      });
      expect(results.find((r) => r.projectId === 'vol')).toMatchObject({ volumeDeleted: 400, registeredAfter: 1600 });
      expect((await countTokens(database.db, 'exp')).registered).toBe(10);
      expect((await sql<{ n: number }>`select count(*)::int as n from prune_runs`.execute(database.db)).rows[0].n).toBe(
        0,
      );
    });

    it('deletes expired tokens only where the project asks for it', async () => {
      const results = await prunePass(database.db, { projects: ['exp', 'keep'] });
      expect(results.map((r) => [r.projectId, r.expiredDeleted])).toEqual([
        ['exp', 4],
        ['keep', 0],
      ]);
      expect((await countTokens(database.db, 'exp')).registered).toBe(6);
      expect((await countTokens(database.db, 'keep')).registered).toBe(10);
    });

    it('past the start threshold deletes ratio % of the registered tokens, oldest first by default', async () => {
      const [r] = await prunePass(database.db, { projects: ['vol'], batchSize: 150 });
      expect(r).toMatchObject({ volumeDeleted: 400, registeredBefore: 2000, registeredAfter: 1600 });
      expect(r.reason).toMatch(
        /2000 registered ≥ start threshold 1% \(1000\): 400 deleted \(20% of 2000, oldest-first\)/,
      );
      const left = await sql<{
        n: number;
      }>`select count(*)::int as n from tokens where project_id = 'vol' and token_id like 'old-%'`.execute(database.db);
      expect(left.rows[0].n).toBe(600);
    });

    it('newest-first deletes the latest registrations', async () => {
      await prunePass(database.db, { projects: ['newest'] });
      const left = await sql<{
        n: number;
      }>`select count(*)::int as n from tokens where project_id = 'newest' and token_id like 'new-%'`.execute(
        database.db,
      );
      expect(left.rows[0].n).toBe(800);
    });

    it('below the threshold nothing is deleted', async () => {
      const [r] = await prunePass(database.db, { projects: ['below'] });
      expect(r).toMatchObject({ volumeDeleted: 0, reason: 'nothing to prune' });
    });

    it('records per project what each pass deleted, why and how long it took', async () => {
      const { rows } = await sql<{
        project_id: string;
        volume_deleted: number;
        reason: string;
        duration_ms: number;
        outcome: string;
      }>`
        select project_id, volume_deleted, reason, duration_ms, outcome from prune_runs where project_id = 'vol'`.execute(
        database.db,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ volume_deleted: 400, outcome: 'done' });
      expect(rows[0].duration_ms).toBeGreaterThanOrEqual(0);
    });

    it('a stop request between batches abandons the pass cleanly', async () => {
      await registerTokens(database.db, 'below', ids('c', 5000));
      await sql`update projects set token_volume_start_threshold = 1 where id = 'below'`.execute(database.db);
      let batches = 0;
      const [r] = await prunePass(database.db, {
        projects: ['below'],
        batchSize: 100,
        shouldStop: () => ++batches > 3,
      });
      expect(r.outcome).toBe('abandoned');
      expect(r.volumeDeleted).toBeGreaterThan(0);
      expect(r.volumeDeleted).toBeLessThan(Math.ceil(5100 * 0.2));
      expect((await countTokens(database.db, 'below')).registered).toBe(5100 - r.volumeDeleted);
    });
  });
}
