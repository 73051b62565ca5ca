// `npm run bench:webhooks`: what one webhook claim costs the worker (every delivery pass, every 5 s,
// in every worker) with a backlog in its way, on a fresh PostgreSQL database:
//   - `--backlog N` (default 200,000) open events of a subscribed project whose receiver is down,
//     each waiting an hour for its retry, and as many of a project without a webhook (parked, as
//     migration 017 and the apply trigger leave them), then 2 due events of a subscribed project;
//   - the claim (limit 10, which must take exactly those 2), median of 7, next to a floor measured
//     in the same run: a one-row UPDATE of an event by its key that commits, the least a claim (a
//     write) can cost;
//   - the same claim with the project-less events left unparked (what a race with an apply leaves
//     until the worker's next tick), then that tick's settling (settleParking), and the retention of
//     delivered and dead events (removeOldEvents) with nothing old enough.
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { migrateToLatest, openDatabase } from '../db/connection.js';
import type { DatabaseSchema } from '../db/schema.js';
import { removeOldEvents } from '../webhooks/event-retention.js';
import { claimDueEvents } from '../webhooks/outbox.js';
import { settleParking } from '../webhooks/parking.js';
import { benchProject, flag, freshDatabase } from './bench-database.js';

const BACKLOG = Number(flag('backlog', '200000'));

/** The median time of `times` runs of `run`, each after its untimed `prepare`. */
async function medianMs(times: number, run: () => Promise<unknown>, prepare?: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    await prepare?.();
    const t = performance.now();
    await run();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return Math.round(ms[Math.floor(times / 2)] * 100) / 100;
}

const payload = (project: string) =>
  sql`jsonb_build_object('webhook_trigger', 'token_expired', 'project_id', cast(${project} as text))`;

async function main(): Promise<void> {
  const fresh = await freshDatabase();
  const database = await openDatabase(fresh.url, {});
  const db: Kysely<DatabaseSchema> = database.db;
  try {
    await migrateToLatest(db);
    const master = randomBytes(32);
    await benchProject(database, 'down', { expiration: 'count', webhook: 'http://127.0.0.1:9/down' }, master);
    await benchProject(database, 'up', { expiration: 'count', webhook: 'http://127.0.0.1:9/up' }, master);
    await benchProject(database, 'plain', { expiration: 'count' }, master);
    await sql`insert into token_events (project_id, payload, attempts, next_attempt_at)
      select 'down', ${payload('down')}, 3, now() + interval '1 hour' from generate_series(1, ${BACKLOG})`.execute(db);
    await sql`insert into token_events (project_id, payload, parked)
      select 'plain', ${payload('plain')}, true from generate_series(1, ${BACKLOG})`.execute(db);
    await sql`insert into token_events (project_id, payload) select 'up', ${payload('up')} from generate_series(1, 2)`.execute(
      db,
    );
    await sql`vacuum analyze token_events`.execute(db);
    // The 2 due events made due again before each claim (untimed); a claim must take exactly them.
    const claimMedian = () =>
      medianMs(
        7,
        async () => {
          const got = await claimDueEvents(db, { now: new Date(), limit: 10, leaseMs: 60_000, me: 'bench' });
          if (got.length !== 2) throw new Error(`the claim took ${got.length} events, not the 2 due ones`);
        },
        () =>
          sql`update token_events set attempts = 0, next_attempt_at = null, claimed_by = null
            where project_id = 'up'`.execute(db),
      );
    const { rows: first } = await sql<{ id: string }>`select max(id) as id from token_events`.execute(db);
    const floorMs = await medianMs(7, () =>
      sql`update token_events set claimed_by = 'floor' where id = ${first[0].id}`.execute(db),
    );
    const parkedMs = await claimMedian();
    await sql`update token_events set parked = false where project_id = 'plain'`.execute(db);
    await sql`vacuum analyze token_events`.execute(db);
    const strayMs = await claimMedian();
    let settled = { parked: 0, unparked: 0 };
    const settleMs = await medianMs(1, async () => {
      settled = await settleParking(db, { maxBatches: 1_000 });
    });
    const settleIdleMs = await medianMs(3, () => settleParking(db));
    await sql`update token_events set delivered_at = now() where project_id = 'down'`.execute(db);
    const retentionIdleMs = await medianMs(3, () => removeOldEvents(db, { now: new Date() }));
    console.log(
      JSON.stringify(
        {
          backlog: BACKLOG,
          floorUpdateMs: floorMs,
          claimMs: parkedMs,
          claimRatioToFloor: Math.round((parkedMs / floorMs) * 10) / 10,
          claimWithUnparkedStraysMs: strayMs,
          settleParking: { ms: settleMs, ...settled },
          settleParkingWithNothingToMoveMs: settleIdleMs,
          eventRetentionWithNothingOldMs: retentionIdleMs,
        },
        null,
        2,
      ),
    );
  } finally {
    await database.close();
    await fresh.drop();
  }
}

await main();
