// All or nothing: an apply that fails after any statement, is SIGKILLed at a random moment, or
// loses its PostgreSQL backend mid-way leaves the database exactly as before or exactly as
// planned (audit rows included), and the next apply converges. (The embedded database's SIGKILL
// test is in crash-embedded.test.ts, so the two long runs can go to different workers.)
import { sql } from 'kysely';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { APPLY_LOCK_KEY } from '../../src/apply/apply-lock.js';
import { generateProjects } from '../../src/bench/generate.js';
import type { Database } from '../../src/db/connection.js';
import { readState } from '../../src/db/read-state.js';
import { applyDir, planDir } from '../helpers/apply.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { killApplyAtRandom } from '../helpers/kill-apply.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { rowCounts, snapshot } from '../helpers/snapshot.js';
import { waitFor } from '../helpers/wait.js';
import { depth } from '../helpers/deep.js';

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`injected faults on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    let database: Database;
    beforeAll(async () => {
      database = fresh.database;
      await applyDir(database, 'examples/startup'); // something to update, not only to create
    });

    it('a fault after the k-th statement, for every k, rolls back everything', async () => {
      const before = await snapshot(database.db);
      let k = 1;
      for (; k < 100; k++) {
        process.env.ARGOSCTL_FAULT_AFTER_STATEMENTS = String(k);
        try {
          await applyDir(database, 'examples/bank');
        } catch (err) {
          expect(String(err)).toMatch(/injected fault after statement/);
          expect(await snapshot(database.db)).toBe(before);
          continue;
        } finally {
          delete process.env.ARGOSCTL_FAULT_AFTER_STATEMENTS;
        }
        break; // k passed the last statement: the apply went through
      }
      expect(k).toBeGreaterThan(5);
      expect((await planDir(database, 'examples/bank')).changes).toEqual([]);
    });
  });
}

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;

describe.skipIf(!postgres.available)('killed applies on postgres', () => {
  const fresh = useFreshDatabase(postgres);
  let database: Database;
  let url: string;
  let manifests: string;
  const PROJECTS = 400;

  beforeAll(() => {
    ({ database, url } = fresh);
    manifests = tempDir();
    generateProjects(manifests, PROJECTS);
  });

  /** Waits until no apply holds the lock, so a killed backend has finished rolling back. */
  async function settled(): Promise<void> {
    await database.db.transaction().execute(async (tx) => {
      await sql`select pg_advisory_xact_lock(${APPLY_LOCK_KEY})`.execute(tx);
    });
  }

  async function expectBeforeOrPlanned(): Promise<'before' | 'planned'> {
    await settled();
    const counts = await rowCounts(database.db);
    if (counts.projects === 0) {
      expect(counts).toMatchObject({ audit_log: 0, applied_plans: 0, auth_methods: 0, admins: 0 });
      return 'before';
    }
    expect(counts).toMatchObject({
      projects: PROJECTS,
      audit_log: PROJECTS,
      applied_plans: 1,
      auth_methods: PROJECTS * 2,
    });
    expect((await planDir(database, manifests)).changes).toEqual([]);
    return 'planned';
  }

  async function reset(): Promise<void> {
    await sql`truncate projects, audit_log, applied_plans cascade`.execute(database.db);
  }

  // ARGOS_DEEP=1: 6 kills (test/helpers/deep.ts); by default 2, one in each phase of kill-apply.ts.
  const KILLS = depth(6, 2);
  it(`SIGKILL of the real CLI at random moments (bounded: ${KILLS} runs)`, async () => {
    const outcomes: string[] = [];
    const locked = async () =>
      (
        await sql`select 1 from pg_locks where locktype = 'advisory' and objid = ${APPLY_LOCK_KEY} and granted`.execute(
          database.db,
        )
      ).rows.length > 0;
    for (let run = 0; run < KILLS; run++) {
      await killApplyAtRandom(run, ['--dir', manifests, '--database-url', url], { started: locked });
      outcomes.push(await expectBeforeOrPlanned());
      await reset();
    }
    const converge = await runCli(['apply', '--auto-approve', '--dir', manifests, '--database-url', url], {
      cwd: manifests,
    });
    expect(converge.code, converge.stderr).toBe(0);
    expect(await expectBeforeOrPlanned()).toBe('planned');
    console.info(`SIGKILL outcomes: ${outcomes.join(', ')}`);
  });

  it('the PostgreSQL backend terminated mid-apply: exit 1, nothing written, the next apply converges', async () => {
    await reset();
    // The apply writes every project row, then waits for the audit table this test holds: its
    // backend is terminated mid-transaction, whatever the machine's load.
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query('lock table audit_log in share mode');
    let finished = false;
    const pending = runCli(['apply', '--auto-approve', '--dir', manifests, '--database-url', url], {
      cwd: manifests,
    }).finally(() => {
      finished = true;
    });
    let terminated = 0;
    try {
      await waitFor('the apply to wait for the audit table', async () => {
        if (finished) return true;
        const { rows } = await sql<{ ok: boolean }>`select pg_terminate_backend(pid) as ok from pg_stat_activity
          where application_name like 'argosctl %' and datname = current_database() and wait_event_type = 'Lock'`.execute(
          database.db,
        );
        terminated = rows.filter((r) => r.ok).length;
        return terminated > 0;
      });
    } finally {
      await blocker.query('commit');
      await blocker.end();
    }
    expect(terminated).toBe(1);
    const r = await pending;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: database (error|connection lost)/);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(await expectBeforeOrPlanned()).toBe('before');
    const again = await runCli(['apply', '--auto-approve', '--dir', manifests, '--database-url', url], {
      cwd: manifests,
    });
    expect(again.code, again.stderr).toBe(0);
    expect(await expectBeforeOrPlanned()).toBe('planned');
    expect((await readState(database.db)).projects.size).toBe(PROJECTS);
  });
});
