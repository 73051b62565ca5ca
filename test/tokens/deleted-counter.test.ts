// Deletions by ID count in stripes beside the project's counter (token_deleted_counts, migration
// 016), so deletions of one project do not wait for each other's commits. The registered count
// (GET …/tokens/count, the dashboard, prune) is the counter less the stripes, exactly; every
// writer of the counter folds the stripes into it first, so the 100,000 cap stays exact; and a
// project deleted takes its stripes with it.
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Person } from '../../src/dashboard/access.js';
import type { DatabaseSchema } from '../../src/db/schema.js';
import { visibleProjects } from '../../src/dashboard/queries.js';
import {
  countTokens,
  deleteOldestTokens,
  deleteTokens,
  registerTokenRequest,
  registerTokens,
} from '../../src/tokens/token-store.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { ids, tokenProject } from '../helpers/token-fixtures.js';

async function stripes(db: Kysely<DatabaseSchema>, projectId: string) {
  const { rows } = await sql<{ n: number; deleted: number }>`
    select count(*)::int as n, coalesce(sum(deleted), 0)::int as deleted
    from token_deleted_counts where project_id = ${projectId}`.execute(db);
  return rows[0];
}

async function stored(db: Kysely<DatabaseSchema>, projectId: string): Promise<number> {
  const { rows } = await sql<{
    n: number;
  }>`select count(*)::int as n from tokens where project_id = ${projectId}`.execute(db);
  return rows[0].n;
}

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`deletion stripes on ${target.name}`, () => {
    const fresh = useFreshDatabase(target, { poolSize: 8 });

    it('a deletion by ID leaves the counter row alone and counts in a stripe; the count subtracts it', async () => {
      const db = fresh.database.db;
      await tokenProject(db, 'del', {});
      await registerTokens(db, 'del', ids('d', 50));
      for (const id of ids('d', 5)) await deleteTokens(db, 'del', [id]);
      await deleteTokens(db, 'del', ids('d', 5, 5));
      expect(await stripes(db, 'del')).toMatchObject({ deleted: 10 });
      const counter = await db
        .selectFrom('token_counts')
        .select('registered')
        .where('project_id', '=', 'del')
        .executeTakeFirst();
      expect(counter?.registered).toBe(50);
      expect((await countTokens(db, 'del')).registered).toBe(40);
      expect(await stored(db, 'del')).toBe(40);
    });

    it('a registration folds the stripes into the counter, so the cap counts deleted tokens out exactly', async () => {
      const db = fresh.database.db;
      await tokenProject(db, 'full', {});
      await registerTokens(db, 'full', ids('f', 20));
      // 99,980 more, as far as the cap can tell (registering them for real takes seconds).
      await sql`update token_counts set registered = registered + 99980 where project_id = 'full'`.execute(db);
      await expect(registerTokenRequest(db, 'full', ['f-extra-0'])).rejects.toThrow(/request_token_limit_exceeded/);
      for (const id of ids('f', 10)) await deleteTokens(db, 'full', [id]);
      // The message reads the exact count, stripes subtracted.
      await expect(registerTokenRequest(db, 'full', ids('g', 11))).rejects.toThrow(/holds 99,990 tokens/);
      expect(await stripes(db, 'full')).toMatchObject({ deleted: 10 });
      await registerTokenRequest(db, 'full', ids('g', 10));
      expect(await stripes(db, 'full')).toEqual({ n: 0, deleted: 0 });
      expect((await countTokens(db, 'full')).registered).toBe(100_000);
      await expect(registerTokenRequest(db, 'full', ['g-extra-0'])).rejects.toThrow(/request_token_limit_exceeded/);
      expect(await stored(db, 'full')).toBe(20);
    });

    it('deleting the oldest folds the stripes too, and counts what remains exactly', async () => {
      const db = fresh.database.db;
      await tokenProject(db, 'old', {});
      await registerTokens(db, 'old', ids('o', 30));
      await deleteTokens(db, 'old', ids('o', 3, 20));
      expect(await deleteOldestTokens(db, 'old', 5)).toBe(5);
      expect(await stripes(db, 'old')).toEqual({ n: 0, deleted: 0 });
      expect((await countTokens(db, 'old')).registered).toBe(22);
      expect(await stored(db, 'old')).toBe(22);
    });

    it('the dashboard shows and sorts by the count with the stripes subtracted', async () => {
      const db = fresh.database.db;
      await tokenProject(db, 'dash-a', {});
      await tokenProject(db, 'dash-b', {});
      await registerTokens(db, 'dash-a', ids('a', 20));
      await registerTokens(db, 'dash-b', ids('b', 15));
      await deleteTokens(db, 'dash-a', ids('a', 10));
      const auditor: Person = { email: 'auditor@bank.example', auditor: true, regions: [] };
      const { rows } = await visibleProjects(db, auditor, { sort: 'tokens', filter: 'dash-' });
      expect(rows.map((r) => [r.id, r.registered])).toEqual([
        ['dash-b', 15],
        ['dash-a', 10],
      ]);
    });

    it("a project's deletion takes its stripes with it, so the id used again starts from zero", async () => {
      const db = fresh.database.db;
      await tokenProject(db, 'again', {});
      await registerTokens(db, 'again', ids('x', 10));
      await deleteTokens(db, 'again', ids('x', 4));
      await db.deleteFrom('projects').where('id', '=', 'again').execute();
      expect(await stripes(db, 'again')).toEqual({ n: 0, deleted: 0 });
      await tokenProject(db, 'again', {});
      await registerTokens(db, 'again', ids('y', 3));
      expect((await countTokens(db, 'again')).registered).toBe(3);
    });

    it('concurrent deletions by ID and registrations keep the count equal to the rows', async () => {
      const db = fresh.database.db;
      await tokenProject(db, 'mix', {});
      const seeded = ids('m', 400);
      await registerTokens(db, 'mix', seeded);
      const work: Promise<unknown>[] = [];
      for (let i = 0; i < 200; i++) work.push(deleteTokens(db, 'mix', [seeded[i]]));
      for (let i = 0; i < 6; i++) work.push(registerTokenRequest(db, 'mix', ids(`n${i}`, 20)));
      const failures = (await Promise.allSettled(work)).filter((s) => s.status === 'rejected');
      expect(failures).toEqual([]);
      expect(await stored(db, 'mix')).toBe(400 - 200 + 120);
      expect((await countTokens(db, 'mix')).registered).toBe(400 - 200 + 120);
    });
  });
}
