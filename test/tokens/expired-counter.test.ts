// The expired counter (token_expired_counts, migration 015) beside token_counts.registered: kept
// by triggers on tokens, it must equal a real count of the marked-expired tokens after any mix of
// writes (registration, count-based expiry on use, time expiry marked by prune and by a refusal,
// deletes by ID and oldest, deletion on expiration, overwrite of an expired token, a hand-written
// UPDATE, a project deleted and created again), and after concurrent ones. And GET …/tokens/count's
// number (countTokens) must equal a count(*) of the expired tokens (marked, or past expiry).
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { DatabaseSchema } from '../../src/db/schema.js';
import { startAdmission } from '../../src/tokens/admission.js';
import { prunePass } from '../../src/tokens/prune.js';
import {
  countTokens,
  deleteOldestTokens,
  deleteTokens,
  registerTokenRequest,
  registerTokens,
} from '../../src/tokens/token-store.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { ids, tokenProject } from '../helpers/token-fixtures.js';

const HOUR = 3_600_000;

/** The counter's sum beside a real count, for every project that has either. */
async function counterAndTruth(db: Kysely<DatabaseSchema>) {
  const { rows } = await sql<{ project_id: string; counter: number; truth: number }>`
    select project_id, coalesce(c.n, 0)::int as counter, coalesce(t.n, 0)::int as truth
    from (select project_id, sum(expired) as n from token_expired_counts group by project_id) c
    full join (select project_id, count(*) as n from tokens where expired_at is not null group by project_id) t
      using (project_id)
    order by project_id`.execute(db);
  return rows;
}

async function expectCounterExact(db: Kysely<DatabaseSchema>): Promise<void> {
  for (const r of await counterAndTruth(db)) expect(r.counter, r.project_id).toBe(r.truth);
}

/** countTokens against count(*) over the project's tokens. */
async function expectCountExact(db: Kysely<DatabaseSchema>, projectId: string): Promise<void> {
  const { rows } = await sql<{ registered: number; expired: number }>`
    select count(*)::int as registered,
           count(*) filter (where expired_at is not null or expires_at <= now())::int as expired
    from tokens where project_id = ${projectId}`.execute(db);
  expect(await countTokens(db, projectId)).toEqual(rows[0]);
}

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`expired counter on ${target.name}`, () => {
    const fresh = useFreshDatabase(target, { poolSize: 8 });

    it('equals a real count after a mix of writes: expiry on use, prune, refusals, deletes, overwrite, hand-written SQL', async () => {
      const db = fresh.database.db;
      await tokenProject(db, 'cnt', { expiration: 'count' });
      await tokenProject(db, 'tim', { expiration: 'time', seconds: 3600 });
      await tokenProject(db, 'gone', { expiration: 'time', seconds: 3600, deleteOnExpiration: true });
      await registerTokens(db, 'cnt', ids('cnt', 300));
      await registerTokens(db, 'tim', ids('tim', 300));
      await registerTokens(db, 'gone', ids('gone', 100));
      await expectCounterExact(db);

      // Count-based expiry on use: 100 tokens expire, a second use is refused and changes nothing.
      for (const id of ids('cnt', 100)) await startAdmission(db, { projectId: 'cnt', tokenId: id });
      await startAdmission(db, { projectId: 'cnt', tokenId: ids('cnt', 1)[0] });
      await expectCounterExact(db);
      await expectCountExact(db, 'cnt');

      // Time windows opened two hours ago: past expiry, unmarked (counted from the index), then marked.
      const twoHoursAgo = new Date(Date.now() - 2 * HOUR);
      for (const id of ids('tim', 60)) await startAdmission(db, { projectId: 'tim', tokenId: id }, twoHoursAgo);
      for (const id of ids('gone', 40)) await startAdmission(db, { projectId: 'gone', tokenId: id }, twoHoursAgo);
      await expectCountExact(db, 'tim');
      // A refusal marks the expiry no prune has marked yet.
      await startAdmission(db, { projectId: 'tim', tokenId: ids('tim', 1)[0] });
      await expectCounterExact(db);
      await prunePass(db, { projects: ['tim', 'gone'] });
      await expectCounterExact(db);
      await expectCountExact(db, 'tim');
      await expectCountExact(db, 'gone');
      expect((await countTokens(db, 'gone')).expired).toBe(0); // deleted on expiration

      // Deletes by ID (expired and not), the oldest N (some expired), an overwrite of expired tokens.
      await deleteTokens(db, 'cnt', [...ids('cnt', 10), ...ids('cnt', 5, 200)]);
      await deleteOldestTokens(db, 'tim', 30);
      await registerTokenRequest(db, 'cnt', ids('cnt', 20, 10));
      await expectCounterExact(db);
      await expectCountExact(db, 'cnt');
      await expectCountExact(db, 'tim');

      // Hand-written SQL: un-expire some, expire others in one statement; insert already expired rows.
      await sql`update tokens set expired_at = case when expired_at is null then now() end
                where project_id = 'cnt' and token_id like 'cnt-000000%'`.execute(db);
      await sql`insert into tokens (project_id, token_id, expired_at)
                select 'tim', 'raw-' || lpad(i::text, 8, '0'), now() from generate_series(1, 25) i`.execute(db);
      await expectCounterExact(db);

      // A project deleted (its tokens cascade) and created again under the same id starts from 0.
      await sql`delete from projects where id = 'cnt'`.execute(db);
      await tokenProject(db, 'cnt', { expiration: 'count' });
      await registerTokens(db, 'cnt', ids('again', 10));
      await expectCounterExact(db);
      await expectCountExact(db, 'cnt');
      expect((await countTokens(db, 'cnt')).expired).toBe(0);
    });

    it('equals a real count after concurrent admissions (each token offered 3 times), deletes, prunes and registrations', async () => {
      const db = fresh.database.db;
      await tokenProject(db, 'race', { expiration: 'count', deleteOnExpiration: true });
      await registerTokens(db, 'race', ids('race', 400));
      const admissions = ids('race', 300).flatMap((id) =>
        [0, 1, 2].map(() => () => startAdmission(db, { projectId: 'race', tokenId: id })),
      );
      const others = [
        () => deleteTokens(db, 'race', ids('race', 50, 300)),
        () => prunePass(db, { projects: ['race'] }),
        () => registerTokenRequest(db, 'race', ids('late', 200)),
        () => prunePass(db, { projects: ['race'] }),
        () => deleteOldestTokens(db, 'race', 20),
      ];
      const work: Array<() => Promise<unknown>> = [...admissions];
      others.forEach((o, i) => work.splice(150 * (i + 1), 0, o));
      const outcomes = await Promise.allSettled(work.map((w) => w()));
      // Count-based: each token admitted at most once, whatever raced.
      const admitted = outcomes.flatMap((o) =>
        o.status === 'fulfilled' && (o.value as { admitted?: boolean }).admitted === true
          ? [(o.value as { tokenId: string }).tokenId]
          : [],
      );
      expect(admitted.length).toBeGreaterThan(0);
      expect(new Set(admitted).size).toBe(admitted.length);
      await expectCounterExact(db);
      await expectCountExact(db, 'race');
      await prunePass(db, { projects: ['race'] });
      await expectCounterExact(db);
      expect((await countTokens(db, 'race')).expired).toBe(0);
    });
  });
}
