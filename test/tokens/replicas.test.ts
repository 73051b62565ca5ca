// Three `serve` replicas and three workers on one PostgreSQL, in process (each its own pool, as its
// own process would have): a count-based token offered to all three replicas at once is admitted
// by exactly one and expires once (one event, one session); concurrent registrants through the
// three replicas keep the cap exact; and each 10-minute prune tick, raced by three workers on
// clocks that agree, runs once (one claim, one prune run per project, each expired token deleted
// once). `npm run bench:replicas` does the same with real processes under load.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { buildServer } from '../../src/server/app.js';
import { revealApiKey, syncApiKey } from '../../src/keys/api-key.js';
import { registerTokens } from '../../src/tokens/token-store.js';
import { runWorker, tickOf, TICK_MS, type Clock, type TickOutcome } from '../../src/tokens/worker.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { ids, tokenProject } from '../helpers/token-fixtures.js';
import { waitFor } from '../helpers/wait.js';

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;
const REPLICAS = 3;
const TOKENS = 120;
const TICKS = 4;
const MASTER = Buffer.alloc(32, 7);

/** One time for every worker; a sleep lasts until the test moves the time on (or the worker stops). */
class SharedClock implements Clock {
  private waiting = new Set<() => void>();
  constructor(private at: number) {}
  now = () => new Date(this.at);
  sleep = (_ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        this.waiting.delete(wake);
        resolve();
      };
      if (signal.aborted) return resolve();
      this.waiting.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  moveTo(at: number): void {
    this.at = at;
    for (const wake of [...this.waiting]) wake();
  }
}

describe.skipIf(!postgres.available)('3 replicas and 3 workers on one postgres', () => {
  const fresh = useFreshDatabase(postgres);
  const pools: Database[] = [];
  const apps: FastifyInstance[] = [];
  let capKey = '';

  beforeAll(async () => {
    const db = fresh.database.db;
    // A webhook subscribed to token_expired: the events counted below are the evidence of each expiry.
    await tokenProject(db, 'rep', { expiration: 'count', deleteOnExpiration: true, webhook: {} });
    await registerTokens(db, 'rep', ids('rep', TOKENS * 2));
    await tokenProject(db, 'repcap');
    await sql`update projects set api_key_rotation = 1 where id = 'repcap'`.execute(db);
    await db.transaction().execute((tx) => syncApiKey(tx, 'repcap', 1, null, () => MASTER));
    capKey = (await revealApiKey(db, 'repcap', 'test', () => MASTER)).key;
    // 99,000 tokens straight in by SQL (the counter kept), so that 2 of the 6 batches below still fit.
    await sql`insert into tokens (project_id, token_id)
              select 'repcap', 'seed-' || lpad(i::text, 8, '0') from generate_series(1, 99000) as i`.execute(db);
    await sql`insert into token_counts (project_id, registered) values ('repcap', 99000)
              on conflict (project_id) do update set registered = 99000`.execute(db);
    for (let i = 0; i < REPLICAS; i++) {
      const pool = await openDatabase(fresh.url, { poolSize: 4, namedStatements: true });
      pools.push(pool);
      apps.push((await buildServer(pool, { log: () => {}, masterKey: () => MASTER })).app);
    }
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const pool of pools) await pool.close();
  });

  it(`${TOKENS} count-based tokens, each offered to all ${REPLICAS} replicas at once: each admitted once, one expiry event, one session`, async () => {
    const answers = await Promise.all(
      ids('rep', TOKENS).flatMap((token) =>
        apps.map((app) =>
          app.inject({ method: 'POST', url: '/v1/liveform/start', payload: { pid: 'rep', token } }).then((r) => ({
            token,
            status: r.statusCode,
            code: (r.json() as { code?: string }).code,
          })),
        ),
      ),
    );
    for (const token of ids('rep', TOKENS)) {
      const mine = answers.filter((a) => a.token === token);
      expect(mine.filter((a) => a.status === 200)).toHaveLength(1);
      expect(mine.filter((a) => a.status === 403).map((a) => a.code)).toEqual(['token_expired', 'token_expired']);
    }
    const { rows } = await sql<{ events: number; tokens: number; sessions: number; expired: number }>`
      select (select count(*)::int from token_events where project_id = 'rep' and payload->>'expired_condition' = 'count') as events,
             (select count(distinct payload->>'token_id')::int from token_events where project_id = 'rep') as tokens,
             (select count(*)::int from liveform_sessions where project_id = 'rep') as sessions,
             (select count(*)::int from tokens where project_id = 'rep' and expired_at is not null) as expired`.execute(
      fresh.database.db,
    );
    expect(rows[0]).toEqual({ events: TOKENS, tokens: TOKENS, sessions: TOKENS, expired: TOKENS });
  });

  it(`6 registrants of 500 new IDs at 99,000, two through each replica: exactly 2 fit; counter = rows = 100,000`, async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        apps[i % REPLICAS].inject({
          method: 'POST',
          url: '/v1/projects/repcap/tokens',
          headers: { 'x-api-key': capKey },
          payload: { tokenIds: ids(`racer${i}`, 500) },
        }),
      ),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 200, 409, 409, 409, 409].sort());
    const { rows } = await sql<{ counter: number; stored: number }>`
      select (select registered from token_counts where project_id = 'repcap') as counter,
             (select count(*)::int from tokens where project_id = 'repcap') as stored`.execute(fresh.database.db);
    expect(rows[0]).toEqual({ counter: 100_000, stored: 100_000 });
  });

  it(`${TICKS} prune ticks raced by ${REPLICAS} workers: each claimed and run once; each expired token deleted once`, async () => {
    // After the admissions above: their tokens expired before the first tick.
    const first = tickOf(new Date()).getTime() + TICK_MS;
    const clock = new SharedClock(first + 1000);
    const stop = new AbortController();
    const outcomes: TickOutcome[] = [];
    const workers = pools.map((pool, i) =>
      runWorker(pool.db, { clock, me: `worker-${i}`, signal: stop.signal, onTick: (o) => outcomes.push(o) }),
    );
    const seenFor = (tick: number) => outcomes.filter((o) => o.tick.getTime() === tick).length;
    for (let k = 0; k < TICKS; k++) {
      const tick = first + k * TICK_MS;
      if (k > 0) clock.moveTo(tick + 1000);
      await waitFor(`3 workers at tick ${k}`, () => seenFor(tick) === REPLICAS);
    }
    stop.abort();
    await Promise.all(workers);

    for (let k = 0; k < TICKS; k++) {
      const mine = outcomes.filter((o) => o.tick.getTime() === first + k * TICK_MS).map((o) => o.status);
      expect(mine.sort()).toEqual(['done', 'taken', 'taken']);
    }
    const ticks = await sql<{ n: number; done: number }>`
      select count(*)::int as n, count(*) filter (where status = 'done')::int as done from worker_ticks`.execute(
      fresh.database.db,
    );
    expect(ticks.rows[0]).toEqual({ n: TICKS, done: TICKS });
    const runs = await sql<{ tick: Date; project_id: string; n: number; deleted: number }>`
      select tick, project_id, count(*)::int as n, sum(expired_deleted)::int as deleted
      from prune_runs group by tick, project_id order by tick, project_id`.execute(fresh.database.db);
    expect(runs.rows).toHaveLength(TICKS * 2); // rep and repcap, at each tick
    for (const r of runs.rows) expect(r.n).toBe(1);
    expect(runs.rows.filter((r) => r.project_id === 'rep').reduce((n, r) => n + r.deleted, 0)).toBe(TOKENS);
    const left = await sql<{ stored: number; counter: number }>`
      select (select count(*)::int from tokens where project_id = 'rep') as stored,
             (select registered from token_counts where project_id = 'rep') as counter`.execute(fresh.database.db);
    expect(left.rows[0]).toEqual({ stored: TOKENS, counter: TOKENS });
  });
});
