// Eight applies of the same manifests started at once against PostgreSQL: exactly one writes,
// the others wait for the lock and find nothing to do; audit rows come from one plan, in order.
import { sql } from 'kysely';
import pg from 'pg';
import { APPLY_LOCK_KEY } from '../../src/apply/apply-lock.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { waitFor } from '../helpers/wait.js';

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;

describe.skipIf(!postgres.available)('concurrent applies on postgres', () => {
  const fresh = useFreshDatabase(postgres);
  let database: Database;
  let url: string;
  beforeAll(() => {
    ({ database, url } = fresh);
  });

  it('eight at once: one writes, seven wait and find nothing to do', async () => {
    const cwd = tempDir('examples/global-platform');
    const runs = await Promise.all(
      Array.from({ length: 8 }, () =>
        runCli(['apply', '--auto-approve', '--lock-timeout', '2m', '--format', 'json', '--database-url', url], { cwd }),
      ),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const results = runs.map((r) => JSON.parse(r.stdout) as { applied: boolean; summary: { create: number } });
    expect(results.filter((r) => r.applied)).toHaveLength(1);
    expect(results.find((r) => r.applied)!.summary.create).toBe(3);
    const audit = await sql<{
      id: string;
      plan_digest: string;
    }>`select id, plan_digest from audit_log order by id`.execute(database.db);
    expect(audit.rows).toHaveLength(3);
    expect(new Set(audit.rows.map((r) => r.plan_digest)).size).toBe(1);
    const ids = audit.rows.map((r) => Number(r.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('without --lock-timeout a second applier is refused at once with exit 3, naming the holder', async () => {
    const cwd = tempDir('examples/startup');
    // The first apply takes the lock, writes, then waits for the audit table this test holds: it
    // keeps the lock for as long as the second one needs to start, however loaded the machine is.
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query('lock table audit_log in share mode');
    let finished = false;
    const slow = runCli(['apply', '--auto-approve', '--database-url', url], { cwd }).finally(() => {
      finished = true;
    });
    try {
      await waitFor(
        'the first apply to hold the lock',
        async () =>
          finished ||
          (
            await sql`
        select 1 from pg_locks where locktype = 'advisory' and objid = ${APPLY_LOCK_KEY} and granted
        and database = (select oid from pg_database where datname = current_database())`.execute(database.db)
          ).rows.length > 0,
      );
      const second = await runCli(['apply', '--auto-approve', '--database-url', url], { cwd });
      expect(second.code).toBe(3);
      expect(second.stderr).toMatch(/another apply holds the lock: argosctl \S+ pid \d+.*since \d{4}-/);
    } finally {
      await blocker.query('commit');
      await blocker.end();
    }
    const first = await slow;
    expect(first.code, first.stderr).toBe(0);
  });
});
