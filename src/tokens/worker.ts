// The 10-minute pruning schedule. The cycle is fixed (the seed says so) and aligned to 10-minute
// boundaries. Any number of workers may run against one PostgreSQL: each tick is claimed by
// inserting its row (exactly one claimer wins), a tick older than one already claimed is never
// claimed (a clock that steps back runs nothing twice), a missed tick is not made up (only the
// current one runs), and a pass still running at the next tick makes that tick record 'skipped'.
import { hostname } from 'node:os';
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { prunePass, type ProjectPruneResult } from './prune.js';
import { foldAllDeletions } from './token-store.js';
import { removeExpiredSessions, type RetentionResult } from './retention.js';
import { removeExpiredTraffic } from './traffic-retention.js';
import { removeOldEvents } from '../webhooks/event-retention.js';
import { settleParking } from '../webhooks/parking.js';

export const TICK_MS = 10 * 60 * 1000;
/** Held (session-level) while a pass runs, so the next tick can see that one still is. */
export const PRUNE_LOCK_KEY = 0x41524750; // "ARGP"

export interface Clock {
  now(): Date;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(resolve, ms);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    }),
};

export function tickOf(time: Date): Date {
  return new Date(Math.floor(time.getTime() / TICK_MS) * TICK_MS);
}

export type TickOutcome =
  | { tick: Date; status: 'taken' }
  | { tick: Date; status: 'skipped' }
  | {
      tick: Date;
      status: 'done' | 'abandoned';
      results: ProjectPruneResult[];
      retention: RetentionResult;
      /** Projects whose deletion stripes were folded into their counters. */
      foldedProjects: number;
      /** Webhook events this tick parked (their project has no webhook for them) or unparked. */
      parking: { parked: number; unparked: number };
    };

export interface TickOptions {
  /** Checked between batches (SIGTERM): stop early, record the tick as abandoned. */
  shouldStop?: () => boolean;
  /** Liveform sessions and token uses older than this are removed (default 30 days). */
  sessionRetentionMs?: number;
  /** Traffic facts older than this are removed (default 30 days). */
  trafficRetentionMs?: number;
  /** Webhook events delivered or dead before this are removed (default 30 days). */
  eventRetentionMs?: number;
}

export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}

/** Claims `tick` and, if this worker won it and no other pass is running, runs one pruning pass. */
export async function runTick(
  db: Kysely<DatabaseSchema>,
  tick: Date,
  me: string,
  options: TickOptions = {},
): Promise<TickOutcome> {
  const shouldStop = options.shouldStop ?? (() => false);
  const claimed = await sql<{ tick: Date }>`
    insert into worker_ticks (tick, claimed_by, status)
    select ${tick}, ${me}, 'running'
    where not exists (select 1 from worker_ticks where tick >= ${tick})
    on conflict (tick) do nothing
    returning tick`.execute(db);
  if (claimed.rows.length === 0) return { tick, status: 'taken' };

  return db.connection().execute(async (conn) => {
    const { rows } = await sql<{ ok: boolean }>`select pg_try_advisory_lock(${PRUNE_LOCK_KEY}) as ok`.execute(conn);
    if (!rows[0].ok) {
      await conn
        .updateTable('worker_ticks')
        .set({ status: 'skipped', finished_at: new Date() })
        .where('tick', '=', tick)
        .execute();
      return { tick, status: 'skipped' as const };
    }
    let status: 'done' | 'abandoned' | 'failed' = 'failed';
    try {
      const results = await prunePass(conn, { tick, shouldStop });
      const retention = await removeExpiredSessions(conn, {
        now: tick,
        retentionMs: options.sessionRetentionMs,
        shouldStop,
      });
      retention.trafficRowsDeleted = await removeExpiredTraffic(conn, {
        now: tick,
        retentionMs: options.trafficRetentionMs,
        shouldStop,
      });
      retention.eventsDeleted = await removeOldEvents(conn, {
        now: tick,
        retentionMs: options.eventRetentionMs,
        shouldStop,
      });
      // Webhook events a race left parked or unparked against their project's webhook (migration 017).
      const parking = await settleParking(conn, { shouldStop });
      // Deletions by ID counted in stripes (migration 016), folded into their projects' counters.
      const foldedProjects = await foldAllDeletions(conn, shouldStop);
      status = results.some((r) => r.outcome === 'abandoned') || shouldStop() ? 'abandoned' : 'done';
      return { tick, status, results, retention, foldedProjects, parking };
    } finally {
      await conn
        .updateTable('worker_ticks')
        .set({ status, finished_at: new Date() })
        .where('tick', '=', tick)
        .execute();
      await sql`select pg_advisory_unlock(${PRUNE_LOCK_KEY})`.execute(conn);
    }
  });
}

export interface WorkerOptions {
  clock?: Clock;
  me?: string;
  signal: AbortSignal;
  onTick?(outcome: TickOutcome): void;
  /** A pass that failed (database down, a bug): reported, and the worker goes on to the next tick. */
  onError?(tick: Date, error: unknown): void;
  /** Stop after this many ticks were seen (tests, `--once`). */
  maxTicks?: number;
  sessionRetentionMs?: number;
  trafficRetentionMs?: number;
  eventRetentionMs?: number;
}

/** Runs until `signal` aborts: each new 10-minute boundary, one attempt to run its tick. */
export async function runWorker(db: Kysely<DatabaseSchema>, options: WorkerOptions): Promise<void> {
  const clock = options.clock ?? systemClock;
  const me = options.me ?? workerName();
  let lastTick: Date | undefined;
  let seen = 0;
  while (!options.signal.aborted) {
    const tick = tickOf(clock.now());
    if (!lastTick || tick > lastTick) {
      lastTick = tick;
      try {
        // Run first, report after: `onTick?.(await runTick(…))` would skip the tick when no one listens.
        const outcome = await runTick(db, tick, me, {
          shouldStop: () => options.signal.aborted,
          sessionRetentionMs: options.sessionRetentionMs,
          trafficRetentionMs: options.trafficRetentionMs,
          eventRetentionMs: options.eventRetentionMs,
        });
        options.onTick?.(outcome);
      } catch (error) {
        options.onError?.(tick, error);
      }
      if (options.maxTicks !== undefined && ++seen >= options.maxTicks) return;
    }
    const untilNext = lastTick.getTime() + TICK_MS - clock.now().getTime();
    await clock.sleep(Math.max(untilNext, 1000), options.signal);
  }
}
