// Admission's statements read the big tables by key, never by a scan: every statement /start and
// /check send (the cold path that reads the facts, then writes; the one-statement path with known
// project facts; the dry run) is captured as sent and EXPLAINed, with statistics analyzed and stale
// (gathered while the tables were empty), among tokens, sessions and token uses of many projects.
// The default run loads 10 projects of 2,000 tokens; ARGOS_DEEP=1 loads 1,000,000 tokens.
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseSchema } from '../../src/db/schema.js';
import { checkAdmission, ProjectFactsCache, startAdmission } from '../../src/tokens/admission.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { depth } from '../helpers/deep.js';
import { planRoot, tableReads } from '../helpers/plan-reads.js';
import { tokenProject } from '../helpers/token-fixtures.js';

const PROJECTS = Array.from({ length: 10 }, (_, i) => `adp-${i}`);
const PER_PROJECT = depth(100_000, 2_000);
/** The big tables: each read by an index on its key, or not read at all. */
const BY_KEY: Record<string, RegExp> = {
  tokens: /^(Index Scan|Index Only Scan|Bitmap Index Scan) on tokens_pkey$/,
  token_uses: /^(Index Scan|Index Only Scan|Bitmap Index Scan) on token_uses_pkey$/,
  liveform_sessions: /^(Index Scan|Index Only Scan|Bitmap Index Scan) on liveform_sessions_(pkey|url)$/,
};

async function load(db: Kysely<DatabaseSchema>, project: string, n: number): Promise<void> {
  await sql`insert into tokens (project_id, token_id, first_used_at, expired_at)
    select ${project}, 'tok-' || lpad(i::text, 8, '0'),
      case when i % 4 = 0 then now() end, case when i % 4 = 0 then now() end
    from generate_series(1, ${n}) as i`.execute(db);
  await sql`insert into token_counts (project_id, registered) values (${project}, ${n})`.execute(db);
  await sql`insert into liveform_sessions (id, project_id, token_id, pre_registered, started_at, url_digest, completed_at, result)
    select gen_random_uuid(), ${project}, 'tok-' || lpad(i::text, 8, '0'), true, now(), md5(${project} || i), now(), 'approved'
    from generate_series(1, ${n / 4}) as i`.execute(db);
  await sql`insert into token_uses (project_id, token_id, first_used_at)
    select ${project}, 'use-' || lpad(i::text, 8, '0'), now() from generate_series(1, ${n / 4}) as i`.execute(db);
}

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`admission's statement plans on ${target.name}`, () => {
    let capture: { sql: string; parameters: readonly unknown[] }[] | undefined;
    const fresh = useFreshDatabase(target, {
      onQuery: (q) => capture?.push(q),
    });
    let next = 1;

    beforeAll(async () => {
      const db = fresh.database.db;
      for (const p of PROJECTS) await tokenProject(db, p, { expiration: 'count' });
      await sql`analyze`.execute(db);
      if (target.name === 'postgres')
        for (const t of ['tokens', 'liveform_sessions', 'token_uses'])
          await sql`alter table ${sql.table(t)} set (autovacuum_enabled = false)`.execute(db);
      for (const p of PROJECTS) await load(db, p, PER_PROJECT);
    });

    /** Every statement a cold /start, a warm /start (known project facts) and a /check send. */
    async function admissionStatements(db: Kysely<DatabaseSchema>) {
      const projects = new ProjectFactsCache();
      const token = () => `tok-${String((next += 4) + 1).padStart(8, '0')}`; // fresh: i % 4 != 0
      capture = [];
      try {
        const cold = await startAdmission(db, { projectId: PROJECTS[3], tokenId: token() }, new Date(), { projects });
        const warm = await startAdmission(db, { projectId: PROJECTS[3], tokenId: token() }, new Date(), { projects });
        const check = await checkAdmission(db, { projectId: PROJECTS[5], tokenId: token() });
        expect([cold.admitted, warm.admitted, check.admitted]).toEqual([true, true, true]);
        return capture;
      } finally {
        capture = undefined;
      }
    }

    async function expectReadsByKey(db: Kysely<DatabaseSchema>) {
      const statements = await admissionStatements(db);
      expect(statements.length).toBe(4); // cold: read + write; warm: one write; check: one read
      const reads: string[] = [];
      for (const q of statements) {
        const { rows } = await db.executeQuery<{ 'QUERY PLAN': unknown }>(
          CompiledQuery.raw(`explain (format json) ${q.sql}`, [...q.parameters]),
        );
        const plan = planRoot(rows[0]['QUERY PLAN']);
        for (const table of Object.keys(BY_KEY)) reads.push(...tableReads(plan, table).map((r) => `${table}: ${r}`));
      }
      // Each statement reads the token (and the reads, the token's use and the URL's sessions).
      for (const table of Object.keys(BY_KEY)) expect(reads.some((r) => r.startsWith(`${table}: `))).toBe(true);
      for (const read of reads) {
        const [table, how] = read.split(': ');
        expect({ table, how }).toEqual({ table, how: expect.stringMatching(BY_KEY[table]) });
      }
    }

    it(`with stale statistics (${PER_PROJECT} tokens in each of ${PROJECTS.length} projects, analyzed while empty) every admission statement reads tokens, sessions and uses by key`, async () => {
      await expectReadsByKey(fresh.database.db);
    });

    it('with analyzed statistics every admission statement reads tokens, sessions and uses by key', async () => {
      await sql`analyze`.execute(fresh.database.db);
      await expectReadsByKey(fresh.database.db);
    });
  });
}
