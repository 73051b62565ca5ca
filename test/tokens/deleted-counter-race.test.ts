// Deletions by ID count in stripes beside the project's counter (token_deleted_counts, migration
// 016); every writer of the counter (registration, oldest-first deletion, prune, the worker's
// fold) folds the stripes into it first. Under real concurrency on PostgreSQL (a pool of 16
// connections, rounds of many operations at once, near the 100,000 cap with real rows), after
// every round:
//   - a project never holds more than 100,000 token rows;
//   - countTokens(…).registered, and the counter row less the stripes, equal count(*) of its rows;
//   - no operation failed with anything but an expected refusal (cap exceeded, token not found);
//     where deletions of the oldest race deletions by ID of the same rows, also a deadlock (40P01)
//     that outlasted retryOnDeadlock's three attempts (the lock orders differ; it writes nothing);
//   - at rest, the cap is exact: a registration of new IDs is refused exactly when it would pass
//     100,000 (under concurrency a refusal may be conservative: deletions not yet folded).
// Also: a bulk import (one transaction of several chunks, each folding the stripes) racing
// deletions by ID and worker folds; and a project's deletion racing deletions by ID leaves no
// stripe behind. PostgreSQL only: PGlite has a single connection, so nothing there runs concurrently.
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseSchema } from '../../src/db/schema.js';
import { prunePass } from '../../src/tokens/prune.js';
import { TokenError } from '../../src/tokens/token-errors.js';
import { TOKEN_CAP } from '../../src/tokens/token-id.js';
import {
  countTokens,
  deleteOldestTokens,
  deleteTokens,
  foldAllDeletions,
  registerTokenRequest,
  registerTokens,
} from '../../src/tokens/token-store.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { ids, tokenProject } from '../helpers/token-fixtures.js';

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;

/** The counter row, the stripes' sum, the rows, and what countTokens answers. */
async function snapshot(db: Kysely<DatabaseSchema>, projectId: string) {
  const { rows } = await sql<{
    counter: number;
    stripes: number;
    stored: number;
  }>`
    select coalesce((select registered from token_counts where project_id = ${projectId}), 0)::int as counter,
      coalesce((select sum(deleted) from token_deleted_counts where project_id = ${projectId}), 0)::int as stripes,
      (select count(*) from tokens where project_id = ${projectId})::int as stored`.execute(db);
  return {
    ...rows[0],
    registered: (await countTokens(db, projectId)).registered,
  };
}

async function expectExact(db: Kysely<DatabaseSchema>, projectId: string): Promise<number> {
  const s = await snapshot(db, projectId);
  expect(s.stored).toBeLessThanOrEqual(TOKEN_CAP);
  expect({
    registered: s.registered,
    counterLessStripes: s.counter - s.stripes,
  }).toEqual({
    registered: s.stored,
    counterLessStripes: s.stored,
  });
  return s.stored;
}

/** Runs the operations at once, in a random order; returns what failed other than an expected refusal. */
async function race(ops: (() => Promise<unknown>)[], refusals: TokenError[] = []): Promise<string[]> {
  for (let i = ops.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [ops[i], ops[j]] = [ops[j], ops[i]];
  }
  const unexpected: string[] = [];
  await Promise.all(
    ops.map((op) =>
      op().catch((err: unknown) => {
        if (err instanceof TokenError && ['request_token_limit_exceeded', 'token_not_found'].includes(err.code))
          refusals.push(err);
        else unexpected.push(`${(err as { code?: string }).code ?? ''} ${String(err)}`);
      }),
    ),
  );
  return unexpected;
}

/** Waits (up to 5 s) until `n` connections of this database wait on a lock, and fails the test if they never do. */
async function untilWaiting(client: pg.Client, n: number): Promise<void> {
  let waiting = 0;
  for (let i = 0; i < 200 && waiting < n; i++) {
    if (i) await new Promise((r) => setTimeout(r, 25));
    const { rows } = await client.query(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    waiting = rows[0].n;
  }
  expect(waiting, 'connections waiting on a lock').toBeGreaterThanOrEqual(n);
}

const pick = <T>(from: readonly T[], n: number): T[] =>
  Array.from({ length: n }, () => from[Math.floor(Math.random() * from.length)]);

describe.skipIf(!postgres.available)('deletion stripes under concurrency on postgres', () => {
  const fresh = useFreshDatabase(postgres, { poolSize: 16 });

  beforeAll(async () => {
    // Prune deletes 1% of the oldest when a pass starts at the cap (start threshold 100%).
    await tokenProject(fresh.database.db, 'full', {
      volume: { start: 100, ratio: 1, priority: 'oldest-first' },
    });
    await registerTokens(fresh.database.db, 'full', ids('seed', 99_600));
  });

  it('near the cap with real rows: registrations, overwrites, deletions by ID (the same IDs at once), oldest, prune and folds keep rows <= 100,000 and the count exact', async () => {
    const db = fresh.database.db;
    let recent: string[] = ids('seed', 400, 99_200); // the newest seeds: no oldest-first deleter reaches them
    let capRefusals = 0;
    for (let round = 0; round < 6; round++) {
      const fresh12 = ids(`r${round}`, 12 * 25 + 25);
      const refusals: TokenError[] = [];
      const ops: (() => Promise<unknown>)[] = [
        // 12 registrations of 50 new IDs, each sharing half of its IDs with the next
        ...Array.from(
          { length: 12 },
          (_, i) => () => registerTokenRequest(db, 'full', fresh12.slice(i * 25, i * 25 + 50)),
        ),
        // re-registrations (overwrites) of recent IDs, which deletions by ID are deleting at the same time
        ...Array.from({ length: 4 }, () => () => registerTokenRequest(db, 'full', pick(recent, 30))),
        // deletions by ID: singles (often the same ID from several connections at once) and batches
        ...Array.from({ length: 30 }, () => () => deleteTokens(db, 'full', pick(recent, 1))),
        ...Array.from({ length: 6 }, () => () => deleteTokens(db, 'full', pick([...recent, ...fresh12], 10))),
        () => deleteOldestTokens(db, 'full', 40),
        () => deleteOldestTokens(db, 'full', 40),
        () => prunePass(db, { projects: ['full'] }),
        () => foldAllDeletions(db),
        () => foldAllDeletions(db),
      ];
      expect(await race(ops, refusals)).toEqual([]);
      const stored = await expectExact(db, 'full');
      for (const r of refusals) if (r.code === 'request_token_limit_exceeded') capRefusals++;
      // At rest the cap is exact: one ID more than the room is refused, the room itself is taken.
      const probe = ids(`probe${round}`, Math.min(50, TOKEN_CAP - stored + 1));
      if (stored + probe.length > TOKEN_CAP)
        await expect(registerTokenRequest(db, 'full', probe)).rejects.toThrow(/request_token_limit_exceeded/);
      const fits = probe.slice(0, Math.min(probe.length, TOKEN_CAP - stored));
      if (fits.length) await registerTokenRequest(db, 'full', fits);
      expect(await expectExact(db, 'full')).toBe(Math.min(TOKEN_CAP, stored + probe.length));
      const { rows } = await sql<{ token_id: string }>`
        select token_id from tokens where project_id = 'full' order by registered_at desc, token_id limit 400`.execute(
        db,
      );
      recent = rows.map((r) => r.token_id);
    }
    expect(capRefusals).toBeGreaterThan(0); // the rounds did reach the cap
  });

  it('deletions by ID and overwrites of the oldest tokens racing deletion of the oldest, prune and folds: no error reaches a caller, the count stays exact', async () => {
    const db = fresh.database.db;
    await tokenProject(db, 'oldest', {
      volume: { start: 1, ratio: 5, priority: 'oldest-first' },
    });
    await registerTokens(db, 'oldest', ids('o', 3_000));
    for (let round = 0; round < 4; round++) {
      const { rows } = await sql<{ token_id: string }>`
        select token_id from tokens where project_id = 'oldest' order by registered_at, token_id limit 300`.execute(db);
      const oldest = rows.map((r) => r.token_id);
      const ops: (() => Promise<unknown>)[] = [
        ...Array.from({ length: 30 }, () => () => deleteTokens(db, 'oldest', pick(oldest, 1))),
        ...Array.from({ length: 6 }, () => () => deleteTokens(db, 'oldest', pick(oldest, 8))),
        ...Array.from({ length: 8 }, (_, i) => () => registerTokenRequest(db, 'oldest', ids(`x${round}-${i}`, 20))),
        // overwrites of the oldest IDs: registered again, they are the newest (rows, then the counter)
        ...Array.from({ length: 6 }, () => () => registerTokenRequest(db, 'oldest', pick(oldest, 12))),
        () => deleteOldestTokens(db, 'oldest', 60),
        () => deleteOldestTokens(db, 'oldest', 60),
        () => prunePass(db, { projects: ['oldest'], batchSize: 50 }),
        () => foldAllDeletions(db),
      ];
      // One lock order (counted-deletion.ts): no circle through the counter or a stripe is left to
      // outlast retryOnDeadlock's three attempts.
      expect(await race(ops)).toEqual([]);
      await expectExact(db, 'oldest');
    }
  });

  it('two deletions of the 50 oldest at once delete the 100 oldest; a token overwritten meanwhile is not among them, the next oldest is', async () => {
    const db = fresh.database.db;
    await tokenProject(db, 'twice', {});
    for (let i = 0; i < 4; i++) await registerTokens(db, 'twice', ids(`t${i}`, 50)); // t0 oldest, then t1, t2, t3
    const holder = new pg.Client({ connectionString: fresh.url });
    await holder.connect();
    try {
      // A registration overwriting the oldest ID holds its row while both deletions start.
      await holder.query('begin');
      await holder.query(
        `update tokens set registered_at = now() + interval '1 hour' where project_id = 'twice' and token_id = $1`,
        [ids('t0', 1)[0]],
      );
      const both = Promise.all([deleteOldestTokens(db, 'twice', 50), deleteOldestTokens(db, 'twice', 50)]);
      await untilWaiting(holder, 2);
      await holder.query('commit');
      const deleted = await both;
      // The first deletes the 49 of t0 left (skipping the overwritten one) and the next oldest, t1-0;
      // the second the 50 after that.
      expect(deleted).toEqual([50, 50]);
    } finally {
      await holder.end();
    }
    const { rows } = await sql<{ token_id: string }>`
      select token_id from tokens where project_id = 'twice' order by token_id`.execute(db);
    const left = rows.map((r) => r.token_id);
    // The overwritten one is no longer among the oldest; the 100 oldest of the others are gone.
    expect(left).toEqual([ids('t0', 1)[0], ...ids('t2', 49, 1), ...ids('t3', 50)]);
    await expectExact(db, 'twice');
  });

  it('random IDs: re-importing 30,000 (two chunks) while prune deletes the oldest: no error reaches either, the count exact', async () => {
    // Registered one by one over time, random IDs lie in an order unrelated to their IDs: prune's
    // picks (physical order) and an import's rows (ID order) then cross. Prune must not wait on them.
    const db = fresh.database.db;
    const unexpected: string[] = [];
    for (let round = 0; round < 3; round++) {
      const projectId = `rnd${round}`;
      await tokenProject(db, projectId, { volume: { start: 1, ratio: 30, priority: 'oldest-first' } });
      const all = Array.from({ length: 30_000 }, (_, i) =>
        createHash('sha1').update(`${round}/${i}`).digest('hex').slice(0, 20),
      );
      await sql`insert into tokens (project_id, token_id, registered_at)
        select ${projectId}, id, now() - interval '1 day' + n * interval '1 second'
        from unnest(cast(${`{${all.join(',')}}`} as text[])) with ordinality as s(id, n) order by n`.execute(db);
      await sql`insert into token_counts (project_id, registered) values (${projectId}, ${all.length})`.execute(db);
      await Promise.all([
        registerTokens(db, projectId, all).catch((e) =>
          unexpected.push(`import: ${(e as { code?: string }).code} ${e}`),
        ),
        (async () => {
          await new Promise((r) => setTimeout(r, 40 * round)); // at different points of the import
          await prunePass(db, { projects: [projectId], batchSize: 3_000 }).catch((e) =>
            unexpected.push(`prune: ${(e as { code?: string }).code} ${e}`),
          );
        })(),
      ]);
      await expectExact(db, projectId);
    }
    expect(unexpected).toEqual([]);
  });

  it('a bulk import (several chunks in one transaction) racing deletions by ID and worker folds: no error, the count exact', async () => {
    const db = fresh.database.db;
    await tokenProject(db, 'bulk', {});
    await registerTokens(db, 'bulk', ids('b', 2_000));
    let done = false;
    const unexpected: string[] = [];
    const note = (err: unknown) => {
      if (!(err instanceof TokenError)) unexpected.push(`${(err as { code?: string }).code ?? ''} ${String(err)}`);
    };
    let next = 0;
    const bulk = registerTokens(db, 'bulk', [...ids('big', 45_000), ...ids('b', 500, 1_500)])
      .catch(note)
      .finally(() => (done = true));
    const deleters = Array.from({ length: 6 }, async () => {
      while (!done) await deleteTokens(db, 'bulk', ids('b', 1, next++ % 2_000)).catch(note);
    });
    const folder = (async () => {
      while (!done) {
        await foldAllDeletions(db).catch(note);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await Promise.all([bulk, ...deleters, folder]);
    expect(unexpected).toEqual([]);
    expect(await expectExact(db, 'bulk')).toBeGreaterThan(45_000);
  });

  it("a project's deletion racing deletions by ID leaves no stripe, and the id used again counts from zero", async () => {
    const db = fresh.database.db;
    for (let round = 0; round < 5; round++) {
      const projectId = `gone${round}`;
      await tokenProject(db, projectId, {});
      await registerTokens(db, projectId, ids('g', 300));
      const ops: (() => Promise<unknown>)[] = Array.from(
        { length: 30 },
        (_, i) => () => deleteTokens(db, projectId, ids('g', 5, i * 10)),
      );
      ops.push(() => db.deleteFrom('projects').where('id', '=', projectId).execute());
      const refusals: TokenError[] = [];
      const unexpected = (await race(ops, refusals)).filter((e) => !/invalid_project/.test(e));
      expect(unexpected).toEqual([]);
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from token_deleted_counts where project_id = ${projectId}`.execute(db);
      expect(rows[0].n).toBe(0);
      await tokenProject(db, projectId, {});
      await registerTokens(db, projectId, ids('h', 3));
      expect(await expectExact(db, projectId)).toBe(3);
    }
  });
  it("a registration racing its project's deletion is invalid_project, not a foreign-key error", async () => {
    const db = fresh.database.db;
    await tokenProject(db, 'going', {});
    const holder = new pg.Client({ connectionString: fresh.url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query(`delete from projects where id = 'going'`);
      const registering = registerTokenRequest(db, 'going', ids('late', 3)).catch((e: unknown) => e);
      await untilWaiting(holder, 1);
      await holder.query('commit');
      const error = await registering;
      expect(error).toBeInstanceOf(TokenError);
      expect((error as TokenError).code).toBe('invalid_project');
    } finally {
      await holder.end();
    }
  });

  it('a registration refused only because a deletion committed while it waited on the counter is retried, and fits', async () => {
    const db = fresh.database.db;
    await tokenProject(db, 'late', {});
    await registerTokens(db, 'late', ids('late', 30));
    // 99,970 more, as far as the cap can tell.
    await sql`update token_counts set registered = registered + 99970 where project_id = 'late'`.execute(db);
    const holder = new pg.Client({ connectionString: fresh.url });
    await holder.connect();
    try {
      // A prune batch holding the counter: the registration's statement starts, then waits on it.
      await holder.query('begin');
      await holder.query(`select 1 from token_counts where project_id = 'late' for no key update`);
      const registering = registerTokenRequest(db, 'late', ids('new', 10));
      await untilWaiting(holder, 1);
      // Room for the 10 appears after the statement began, in a stripe it cannot see.
      expect(await deleteTokens(db, 'late', ids('late', 10))).toBe(10);
      await holder.query('commit');
      expect(await registering).toMatchObject({ added: 10 });
    } finally {
      await holder.end();
    }
    expect((await countTokens(db, 'late')).registered).toBe(100_000);
  });
});
