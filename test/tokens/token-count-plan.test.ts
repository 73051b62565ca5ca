// GET …/tokens/count answers from the counter rows (registered, and the marked-expired stripes of
// migration 015) and the partial index of tokens past expiry not yet marked, never from a scan of
// the project's tokens nor of its marked-expired ones: checked on the statement's plan (EXPLAIN)
// with statistics analyzed and stale (gathered while the table was empty), and on the numbers
// against a plain count(*).
// The default run loads 30,000 tokens; ARGOS_DEEP=1 loads 1,000,000 across ten projects.
import { sql, type Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { DatabaseSchema } from '../../src/db/schema.js';
import { countTokens, countTokensStatement } from '../../src/tokens/token-store.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { depth } from '../helpers/deep.js';
import { planRoot, tableReads } from '../helpers/plan-reads.js';
import { tokenProject } from '../helpers/token-fixtures.js';

const PROJECTS = ['cnt-0', 'cnt-1', 'cnt-2'];
const PER_PROJECT = depth(100_000, 10_000);
const DEEP_PROJECTS = PER_PROJECT === 100_000 ? 10 : PROJECTS.length;

/** Tokens straight in by SQL, a tenth marked expired, a tenth past expiry unmarked, a tenth not due; the counter kept. */
async function load(db: Kysely<DatabaseSchema>, project: string, n: number): Promise<void> {
  await sql`
    insert into tokens (project_id, token_id, expires_at, expired_at)
    select ${project}, 'tok-' || lpad(i::text, 8, '0'),
      case i % 10 when 1 then now() - interval '1 day' when 2 then now() - interval '1 hour'
                  when 3 then now() + interval '1 day' end,
      case i % 10 when 1 then now() - interval '1 hour' end
    from generate_series(1, ${n}) as i`.execute(db);
  await sql`insert into token_counts (project_id, registered) values (${project}, ${n})
            on conflict (project_id) do update set registered = token_counts.registered + excluded.registered`.execute(
    db,
  );
}

async function planOf(db: Kysely<DatabaseSchema>, project: string): Promise<string[]> {
  const { rows } = await sql<{ 'QUERY PLAN': unknown }>`explain (format json) ${countTokensStatement(project)}`.execute(
    db,
  );
  return tableReads(planRoot(rows[0]['QUERY PLAN']), 'tokens');
}

/** Only the due entries of tokens_expiring: the marked-expired ones come from their counter, not tokens_expired. */
const PARTIAL_INDEX_ONLY = /^(Index Only Scan|Index Scan|Bitmap Index Scan) on tokens_expiring$/;

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`token count on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    let database: Database;
    const projects = Array.from({ length: DEEP_PROJECTS }, (_, i) => `cnt-${i}`);
    beforeAll(async () => {
      database = fresh.database;
      for (const p of projects) await tokenProject(database.db, p, { expiration: 'time' });
      await tokenProject(database.db, 'cnt-empty');
      // Statistics gathered on the empty table, and never again: the stale case.
      await sql`analyze tokens`.execute(database.db);
      if (target.name === 'postgres')
        await sql`alter table tokens set (autovacuum_enabled = false)`.execute(database.db);
      for (const p of projects) await load(database.db, p, PER_PROJECT);
    });

    it(`with stale statistics (${PER_PROJECT} tokens in each of ${projects.length} projects, analyzed while empty) the plan reads tokens only through the partial index of unmarked due tokens`, async () => {
      const reads = await planOf(database.db, PROJECTS[1]);
      expect(reads.length).toBeGreaterThan(0);
      for (const read of reads) expect(read).toMatch(PARTIAL_INDEX_ONLY);
    });

    it('with analyzed statistics the plan reads tokens only through the partial index of unmarked due tokens', async () => {
      await sql`analyze tokens`.execute(database.db);
      for (const project of [PROJECTS[0], 'cnt-empty', 'no-such-project']) {
        const reads = await planOf(database.db, project);
        for (const read of reads) expect(read).toMatch(PARTIAL_INDEX_ONLY);
      }
    });

    it('the numbers equal a count(*) of the tokens: registered, and expired (marked, or past expiry)', async () => {
      for (const project of [PROJECTS[2], 'cnt-empty']) {
        const { rows } = await sql<{ registered: number; expired: number }>`
          select count(*)::int as registered,
                 count(*) filter (where expired_at is not null or expires_at <= now())::int as expired
          from tokens where project_id = ${project}`.execute(database.db);
        expect(await countTokens(database.db, project)).toEqual(rows[0]);
      }
      expect(await countTokens(database.db, PROJECTS[2])).toEqual({
        registered: PER_PROJECT,
        expired: PER_PROJECT / 5,
      });
    });
  });
}
