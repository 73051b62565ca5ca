// The 10-minute schedule with an injected clock: one pass per tick across workers, a missed tick
// runs once, a running pass makes the next tick skip, a clock stepping back runs nothing twice.
import { sql } from 'kysely';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { countTokens, deleteTokens, registerTokens } from '../../src/tokens/token-store.js';
import {
  PRUNE_LOCK_KEY,
  runTick,
  runWorker,
  tickOf,
  TICK_MS,
  type Clock,
  type TickOutcome,
} from '../../src/tokens/worker.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { ids, tokenProject } from '../helpers/token-fixtures.js';

const BASE = new Date('2026-11-25T10:00:00Z').getTime();

/** A clock that jumps to the next entry of `times` at every sleep. */
function scriptedClock(times: number[]): Clock {
  let i = 0;
  return {
    now: () => new Date(times[Math.min(i, times.length - 1)]),
    sleep: async () => {
      i++;
    },
  };
}

/** A clock shared by `workers` loops: time moves to the next entry once all of them sleep. */
function sharedClock(times: number[], workers: number): () => Clock {
  let step = 0;
  let waiting: (() => void)[] = [];
  return () => ({
    now: () => new Date(times[Math.min(step, times.length - 1)]),
    sleep: () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === workers) {
          step++;
          const all = waiting;
          waiting = [];
          all.forEach((r) => r());
        }
      }),
  });
}

describe('tickOf', () => {
  it('aligns to 10-minute boundaries', () => {
    expect(tickOf(new Date('2026-11-25T10:09:59.999Z')).toISOString()).toBe('2026-11-25T10:00:00.000Z');
    expect(tickOf(new Date('2026-11-25T10:10:00.000Z')).toISOString()).toBe('2026-11-25T10:10:00.000Z');
  });
});

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`worker on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    let database: Database;
    beforeAll(async () => {
      database = fresh.database;
      await tokenProject(database.db, 'w', { volume: { start: 1, ratio: 10 } });
    });
    beforeEach(async () => {
      await sql`truncate worker_ticks, prune_runs`.execute(database.db);
    });

    const ticks = async () =>
      (
        await sql<{
          tick: Date;
          status: string;
          claimed_by: string;
        }>`select tick, status, claimed_by from worker_ticks order by tick`.execute(database.db)
      ).rows;

    it('runs the tick it finds, then each new boundary once; a long sleep makes up a missed tick once', async () => {
      const seen: TickOutcome[] = [];
      const clock = scriptedClock([BASE + 1000, BASE + TICK_MS + 5, BASE + TICK_MS + 60_000, BASE + 5 * TICK_MS + 7]);
      await runWorker(database.db, {
        clock,
        me: 'a',
        signal: new AbortController().signal,
        maxTicks: 3,
        onTick: (o) => seen.push(o),
      });
      expect(seen.map((o) => [o.tick.getTime() - BASE, o.status])).toEqual([
        [0, 'done'],
        [TICK_MS, 'done'],
        [5 * TICK_MS, 'done'],
      ]);
      expect((await ticks()).map((t) => t.status)).toEqual(['done', 'done', 'done']);
    });

    it('a clock that steps back never runs a tick twice', async () => {
      expect((await runTick(database.db, new Date(BASE + TICK_MS), 'a')).status).toBe('done');
      expect((await runTick(database.db, new Date(BASE), 'b')).status).toBe('taken');
      expect((await runTick(database.db, new Date(BASE + TICK_MS), 'b')).status).toBe('taken');
      expect(await ticks()).toHaveLength(1);
    });

    it.skipIf(target.name === 'pglite')(
      'a pass still running at the next tick makes that tick skip, not queue (PostgreSQL only: PGlite is one session, no pass can run beside another)',
      async () => {
        const other = await openDatabase(fresh.url);
        try {
          await other.db.connection().execute(async (conn) => {
            await sql`select pg_advisory_lock(${PRUNE_LOCK_KEY})`.execute(conn); // a pass in progress elsewhere
            expect((await runTick(database.db, new Date(BASE), 'b')).status).toBe('skipped');
            await sql`select pg_advisory_unlock(${PRUNE_LOCK_KEY})`.execute(conn);
          });
        } finally {
          await other.close();
        }
        expect((await ticks()).map((t) => t.status)).toEqual(['skipped']);
        expect((await runTick(database.db, new Date(BASE + TICK_MS), 'b')).status).toBe('done');
      },
    );

    it('a failed pass is recorded as failed and the worker goes on to the next tick', async () => {
      await registerTokens(database.db, 'w', ids('f', 1000)); // 1 % of the cap: the pass will delete
      await sql
        .raw(`create function refuse_delete() returns trigger language plpgsql as $$ begin raise exception 'disk on fire'; end $$;
        create trigger refuse_delete before delete on tokens for each row execute function refuse_delete();`)
        .execute(database.db);
      const errors: string[] = [];
      const seen: TickOutcome[] = [];
      try {
        const times = scriptedClock([BASE + 10, BASE + TICK_MS + 10]);
        const clock: Clock = {
          now: times.now,
          sleep: async (ms, signal) => {
            // the fire is out by the next tick
            await sql.raw('drop trigger if exists refuse_delete on tokens').execute(database.db);
            await times.sleep(ms, signal);
          },
        };
        await runWorker(database.db, {
          clock,
          me: 'a',
          signal: new AbortController().signal,
          maxTicks: 2,
          onTick: (o) => seen.push(o),
          onError: (tick, e) => errors.push(`${tick.getTime() - BASE}: ${(e as Error).message}`),
        });
      } finally {
        await sql
          .raw(
            'drop trigger if exists refuse_delete on tokens; drop function refuse_delete(); truncate tokens; delete from token_counts',
          )
          .execute(database.db);
      }
      expect(errors).toEqual([expect.stringMatching(/^0: .*disk on fire/)]);
      expect(seen.map((o) => [o.tick.getTime() - BASE, o.status])).toEqual([[TICK_MS, 'done']]);
      expect((await ticks()).map((t) => t.status)).toEqual(['failed', 'done']);
    });

    it("folds the projects' deletion stripes into their counters each tick, the count unchanged", async () => {
      await tokenProject(database.db, 'fold', {});
      await registerTokens(database.db, 'fold', ids('f', 20));
      for (const id of ids('f', 4)) await deleteTokens(database.db, 'fold', [id]);
      const stripes = async () =>
        (
          await sql<{
            n: number;
          }>`select count(*)::int as n from token_deleted_counts where project_id = 'fold'`.execute(database.db)
        ).rows[0].n;
      expect(await stripes()).toBeGreaterThan(0);
      const outcome = await runTick(database.db, new Date(BASE), 'a');
      expect(outcome.status === 'done' && outcome.foldedProjects).toBe(1);
      expect(await stripes()).toBe(0);
      const counter = await database.db
        .selectFrom('token_counts')
        .select('registered')
        .where('project_id', '=', 'fold')
        .executeTakeFirstOrThrow();
      expect(counter.registered).toBe(16);
      expect((await countTokens(database.db, 'fold')).registered).toBe(16);
      // The other tests here prune project `w` alone.
      await database.db.deleteFrom('projects').where('id', '=', 'fold').execute();
    });

    it('a policy change takes effect at the next tick', async () => {
      await registerTokens(database.db, 'w', ids('p', 1000));
      await sql`update projects set token_volume_ratio = 50 where id = 'w'`.execute(database.db);
      const outcome = await runTick(database.db, new Date(BASE), 'a');
      expect(outcome.status === 'done' && outcome.results[0].volumeDeleted).toBe(500);
    });

    it.skipIf(target.name === 'pglite')(
      'four workers started together prune once per tick (PostgreSQL only: PGlite serves one process)',
      async () => {
        const dbs = await Promise.all(Array.from({ length: 4 }, () => openDatabase(fresh.url)));
        try {
          const times = [BASE + 10, BASE + TICK_MS + 10, BASE + 2 * TICK_MS + 10];
          const outcomes: TickOutcome[] = [];
          const clockFor = sharedClock(times, dbs.length);
          await Promise.all(
            dbs.map((d, i) =>
              runWorker(d.db, {
                clock: clockFor(),
                me: `w${i}`,
                signal: new AbortController().signal,
                maxTicks: 3,
                onTick: (o) => outcomes.push(o),
              }),
            ),
          );
          const ran = outcomes.filter((o) => o.status === 'done');
          expect(ran.map((o) => o.tick.getTime() - BASE).sort((a, b) => a - b)).toEqual([0, TICK_MS, 2 * TICK_MS]);
          expect(outcomes.filter((o) => o.status === 'taken')).toHaveLength(9);
          expect(await ticks()).toHaveLength(3);
          const runs = await sql<{ n: number }>`select count(*)::int as n from prune_runs`.execute(database.db);
          expect(runs.rows[0].n).toBe(3); // one project, one pass per tick
        } finally {
          await Promise.all(dbs.map((d) => d.close()));
        }
      },
    );
  });
}
