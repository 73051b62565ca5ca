// Parking (migration 017) against what runs beside it: a re-drive or an expiry that reads the
// project while an apply changes its webhook, and a delivery in flight (leased) when the webhook is
// removed. An event must never stay parked while its project has a webhook for it (it would never be
// delivered), should not sit unparked in the claim's way while its project has none, and a lease
// must keep the event to its worker ("no two workers hold one event", outbox.ts). What the trigger
// cannot see (an expiry racing a removal) the worker's tick settles (webhooks/parking.ts).
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { DatabaseSchema } from '../../src/db/schema.js';
import { writeExpiredEvents } from '../../src/tokens/token-events.js';
import { claimDueEvents, markFailed } from '../../src/webhooks/outbox.js';
import { settleParking } from '../../src/webhooks/parking.js';
import { redrive } from '../../src/webhooks/redrive.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { tokenProject, webhookColumns } from '../helpers/token-fixtures.js';
import { waitFor } from '../helpers/wait.js';

const NOW = new Date('2026-12-07T10:00:00Z');
const noWebhook = {
  webhook_url: null,
  webhook_events: null,
  webhook_secret_rotation: null,
};
const claim = (db: Kysely<DatabaseSchema>, me: string, now = NOW) =>
  claimDueEvents(db, { now, limit: 10, leaseMs: 70_000, me });

async function addEvent(db: Kysely<DatabaseSchema>, project: string, dead = false): Promise<string> {
  const { rows } = await sql<{
    id: string;
  }>`insert into token_events (project_id, payload, attempts, dead_at)
    values (${project}, jsonb_build_object('webhook_trigger', 'token_expired'), ${dead ? 8 : 0},
            ${dead ? sql`now()` : sql`null`}) returning id`.execute(db);
  return String(rows[0].id);
}

async function parkedAt(db: Kysely<DatabaseSchema>, id: string): Promise<boolean> {
  const { rows } = await sql<{ parked: boolean }>`select parked from token_events where id = ${id}`.execute(db);
  return rows[0].parked;
}

/**
 * Runs `concurrent` while an apply's transaction on another connection has set the project's
 * webhook columns and not committed; commits once `concurrent` is done or waits on a lock.
 */
async function besideAnApply<T>(
  url: string,
  project: string,
  columns: Record<string, unknown>,
  concurrent: () => Promise<T>,
): Promise<T> {
  const apply = new pg.Client({ connectionString: url });
  await apply.connect();
  try {
    await apply.query('begin');
    const names = Object.keys(columns);
    await apply.query(
      `update projects set ${names.map((n, i) => `${n} = $${i + 1}`).join(', ')} where id = $${names.length + 1}`,
      [...names.map((n) => (columns[n] === null ? null : String(columns[n]))), project],
    );
    let done = false;
    const running = concurrent().finally(() => (done = true));
    running.catch(() => {});
    await waitFor('the concurrent work to end or wait for the apply', async () => {
      if (done) return true;
      const { rows } = await apply.query(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      );
      return rows[0].n > 0;
    });
    await apply.query('commit');
    return await running;
  } finally {
    await apply.end();
  }
}

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`webhook parking beside concurrent work on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);

    it('a webhook removed and declared again while an event is leased does not hand it to a second worker', async () => {
      const db = fresh.database.db;
      await tokenProject(db, 'hop', { webhook: {} });
      await addEvent(db, 'hop');
      expect(await claim(db, 'w1')).toHaveLength(1); // w1 holds it for 70 s
      await db.updateTable('projects').set(noWebhook).where('id', '=', 'hop').execute();
      await db.updateTable('projects').set(webhookColumns()).where('id', '=', 'hop').execute();
      // w1 is still posting it; a second worker must not claim (and post) it again inside the lease
      expect(await claim(db, 'w2', new Date(NOW.getTime() + 1_000))).toEqual([]);
      // Its lease ends at NOW + 70 s: a later test claiming on the wall clock must not find it due.
      await sql`delete from token_events where project_id = 'hop'`.execute(db);
    });

    it('the tick settles parking against each project’s webhook, both ways, in bounded batches', async () => {
      const db = fresh.database.db;
      await tokenProject(db, 'settle-hooked', { webhook: {} });
      await tokenProject(db, 'settle-plain');
      const wrong = [
        ...(await Promise.all([1, 2, 3].map(() => addEvent(db, 'settle-plain')))), // open, no webhook
      ];
      const stuck = await addEvent(db, 'settle-hooked');
      await sql`update token_events set parked = true where id = ${stuck}`.execute(db); // parked, webhook there
      expect(await settleParking(db, { batchSize: 2 })).toEqual({ parked: 3, unparked: 1 });
      for (const id of wrong) expect(await parkedAt(db, id)).toBe(true);
      expect(await parkedAt(db, stuck)).toBe(false);
      expect(await settleParking(db)).toEqual({ parked: 0, unparked: 0 });
      await sql`delete from token_events where project_id like 'settle-%'`.execute(db);
    });

    it('a failed attempt on an event parked under its lease leaves it parked (not in the claim’s way)', async () => {
      const db = fresh.database.db;
      await tokenProject(db, 'gone-mid-post', { webhook: {} });
      const id = await addEvent(db, 'gone-mid-post');
      const [event] = await claim(db, 'w1');
      expect(event.id).toBe(id);
      await db.updateTable('projects').set(noWebhook).where('id', '=', 'gone-mid-post').execute();
      expect(await parkedAt(db, id)).toBe(true);
      await markFailed(db, event, 'w1', NOW, 'connection refused', new Date(NOW.getTime() + 60_000));
      // the project has no webhook: the event should wait parked, not fall due at its retry
      expect(await parkedAt(db, id)).toBe(true);
    });

    // A second connection holding an apply's transaction open: PostgreSQL only (PGlite has one).
    if (target.name === 'postgres')
      it('a re-drive beside an apply that declares the webhook leaves the events due, not parked for good', async () => {
        const db = fresh.database.db;
        await tokenProject(db, 'late');
        const id = await addEvent(db, 'late', true);
        const hook = webhookColumns();
        const result = await besideAnApply(
          fresh.url,
          'late',
          {
            webhook_url: hook.webhook_url,
            webhook_events: '["token_expired"]',
            webhook_secret_rotation: 1,
          },
          () => redrive(db, 'late', { allDead: true }, 'test'),
        );
        expect(result.redriven).toEqual([id]);
        // The project now has a webhook for token_expired: its event must be delivered.
        const { rows } = await sql<{ subscribed: boolean }>`
          select webhook_events ? 'token_expired' as subscribed from projects where id = 'late'`.execute(db);
        expect(rows[0].subscribed).toBe(true);
        expect(await parkedAt(db, id)).toBe(false);
        expect((await claim(db, 'w1', new Date())).map((e) => e.id)).toEqual([id]);
      });

    // A second connection holding an apply's transaction open: PostgreSQL only (PGlite has one).
    if (target.name === 'postgres')
      it('an expiry written beside an apply that removes the webhook is parked at the next tick, not left in the claim’s way', async () => {
        const db = fresh.database.db;
        await tokenProject(db, 'dropping', { webhook: {} });
        await besideAnApply(fresh.url, 'dropping', noWebhook, () =>
          db
            .transaction()
            .execute((tx) => writeExpiredEvents(tx, 'dropping', [{ tokenId: 't-1', condition: 'count', at: NOW }])),
        );
        // Written (the statement saw the webhook) after the apply's trigger parked what it could see:
        // the trigger cannot park it; the tick's settling does.
        const open = async () =>
          (
            await sql<{ parked: boolean }>`select parked from token_events
              where project_id = 'dropping' and delivered_at is null and dead_at is null`.execute(db)
          ).rows.map((r) => r.parked);
        expect(await open()).toEqual([false]);
        expect(await settleParking(db)).toEqual({ parked: 1, unparked: 0 });
        expect(await open()).toEqual([true]);
      });
  });
}
