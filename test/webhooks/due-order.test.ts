// The webhook claim reads the due events only (migration 017): events waiting for their retry (an
// endpoint down) and events of a project whose webhook was removed (parked by the trigger on the
// project's webhook columns) are never read past, checked on the claim's own plan (EXPLAIN
// ANALYZE, rolled back) with thousands of each. A webhook declared again unparks its events, a
// re-drive without one parks them, and the migration parks the events already written for
// projects without a webhook. Retention removes delivered and dead events, never open ones.
import { sql, type Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/connection.js';
import type { DatabaseSchema } from '../../src/db/schema.js';
import { removeOldEvents } from '../../src/webhooks/event-retention.js';
import { claimDueEvents, claimStatement } from '../../src/webhooks/outbox.js';
import { redrive } from '../../src/webhooks/redrive.js';
import { DATABASE_TARGETS, postgresAvailable, useFreshDatabase } from '../helpers/databases.js';
import { withDatabaseMigratedTo } from '../helpers/migrated-to.js';
import { depth } from '../helpers/deep.js';
import { planRoot, type PlanNode } from '../helpers/plan-reads.js';
import { tokenProject, webhookColumns } from '../helpers/token-fixtures.js';

const BACKLOG = depth(100_000, 5_000);
const NOW = new Date('2026-12-07T10:00:00Z');
const event = (project: string) =>
  sql`jsonb_build_object('webhook_trigger', 'token_expired', 'project_id', cast(${project} as text))`;

async function addEvents(db: Kysely<DatabaseSchema>, project: string, n: number, retryAt?: Date): Promise<void> {
  await sql`insert into token_events (project_id, payload, attempts, next_attempt_at)
    select ${project}, ${event(project)}, ${retryAt ? 3 : 0}, cast(${retryAt ?? null} as timestamptz)
    from generate_series(1, ${n})`.execute(db);
}

const noWebhook = { webhook_url: null, webhook_events: null, webhook_secret_rotation: null };

async function parked(db: Kysely<DatabaseSchema>, project: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from token_events
    where project_id = ${project} and parked and delivered_at is null and dead_at is null`.execute(db);
  return rows[0].n;
}

/** Rows the plan's scans of token_events produced or filtered out (what the claim read). */
function eventRowsRead(node: PlanNode & Record<string, unknown>): number {
  let read = 0;
  if (node['Relation Name'] === 'token_events' && node['Node Type'] !== 'ModifyTable')
    read +=
      Number(node['Actual Rows'] ?? 0) * Number(node['Actual Loops'] ?? 1) +
      Number(node['Rows Removed by Filter'] ?? 0) +
      Number(node['Rows Removed by Index Recheck'] ?? 0);
  for (const child of node.Plans ?? []) read += eventRowsRead(child as PlanNode & Record<string, unknown>);
  return read;
}

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`the webhook claim's due order on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    let db: Kysely<DatabaseSchema>;
    beforeAll(async () => {
      db = fresh.database.db;
      for (const p of ['up', 'down', 'gone']) await tokenProject(db, p, { webhook: {} });
      await addEvents(db, 'down', BACKLOG, new Date(NOW.getTime() + 3_600_000)); // an endpoint down: retries later
      await addEvents(db, 'gone', BACKLOG); // due, then its webhook is removed
      await db.updateTable('projects').set(noWebhook).where('id', '=', 'gone').execute();
      await addEvents(db, 'up', 2);
      await sql`analyze token_events`.execute(db);
    });

    it(`with ${BACKLOG.toLocaleString('en')} events waiting for a retry and as many parked, a claim reads the 2 due ones`, async () => {
      expect(await parked(db, 'gone')).toBe(BACKLOG);
      const options = { now: NOW, limit: 10, leaseMs: 60_000, me: 'w1' };
      const read = await db.connection().execute(async (c) => {
        await sql`begin`.execute(c);
        try {
          const { rows } = await sql<{ 'QUERY PLAN': unknown }>`
            explain (analyze, format json) ${claimStatement(options)}`.execute(c);
          return eventRowsRead(planRoot(rows[0]['QUERY PLAN']) as PlanNode & Record<string, unknown>);
        } finally {
          await sql`rollback`.execute(c);
        }
      });
      // The 2 due events, each read once or twice (the due scan, then the update's own lookup).
      expect(read).toBeLessThanOrEqual(8);
      const claimed = await claimDueEvents(db, options);
      expect(claimed.map((e) => e.projectId)).toEqual(['up', 'up']);
    });

    it('a webhook declared again unparks its events; they are claimed first, in id order', async () => {
      await db.updateTable('projects').set(webhookColumns()).where('id', '=', 'gone').execute();
      expect(await parked(db, 'gone')).toBe(0);
      const claimed = await claimDueEvents(db, { now: NOW, limit: 3, leaseMs: 60_000, me: 'w1' });
      expect(claimed.map((e) => e.projectId)).toEqual(['gone', 'gone', 'gone']);
      const ids = claimed.map((e) => Number(e.id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    });

    it('removing it again parks them, leases included; a re-drive without a webhook leaves them parked', async () => {
      await db.updateTable('projects').set(noWebhook).where('id', '=', 'gone').execute();
      expect(await parked(db, 'gone')).toBe(BACKLOG);
      const [first] = (
        await sql<{ id: string }>`select id from token_events where project_id = 'gone' order by id limit 1`.execute(db)
      ).rows;
      await sql`update token_events set dead_at = now(), next_attempt_at = null where id = ${first.id}`.execute(db);
      const result = await redrive(db, 'gone', { event: String(first.id) }, 'test');
      expect(result).toMatchObject({ redriven: [String(first.id)], noWebhook: true });
      expect(await parked(db, 'gone')).toBe(BACKLOG);
      expect(await claimDueEvents(db, { now: NOW, limit: 10, leaseMs: 60_000, me: 'w1' })).toEqual([]);
    });
  });
}

describe.runIf(postgresAvailable)('migration 017 on PostgreSQL', () => {
  it('parks the open events already written for projects without a webhook, and only those', async () => {
    await withDatabaseMigratedTo('016_token_deleted_counts', async (database) => {
      const db = database.db;
      await tokenProject(db, 'hooked', { webhook: {} });
      await tokenProject(db, 'plain');
      await tokenProject(db, 'other-trigger', { webhook: { events: ['session_completed'] } });
      for (const p of ['hooked', 'plain', 'other-trigger']) await addEvents(db, p, 3);
      await sql`update token_events set delivered_at = now() where id = (select min(id) from token_events where project_id = 'plain')`.execute(
        db,
      );
      await migrateToLatest(db);
      expect(await parked(db, 'hooked')).toBe(0);
      expect(await parked(db, 'plain')).toBe(2); // the delivered one stays as it was
      expect(await parked(db, 'other-trigger')).toBe(3);
      const claimed = await claimDueEvents(db, { now: new Date(), limit: 10, leaseMs: 60_000, me: 'w1' });
      expect(claimed.map((e) => e.projectId)).toEqual(['hooked', 'hooked', 'hooked']);
    });
  });
});

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`webhook event retention on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);

    it('removes events delivered or dead before --event-retention in bounded batches; open, parked and recent ones stay', async () => {
      const db = fresh.database.db;
      await tokenProject(db, 'kept', { webhook: {} });
      const now = new Date('2026-12-07T00:00:00Z');
      const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
      const insert = (created: Date, state: { delivered?: Date; dead?: Date; parked?: boolean }) =>
        sql`insert into token_events (project_id, payload, created_at, delivered_at, dead_at, parked)
          values ('kept', ${event('kept')}, ${created}, cast(${state.delivered ?? null} as timestamptz),
                  cast(${state.dead ?? null} as timestamptz), ${state.parked ?? false})`.execute(db);
      for (let i = 0; i < 5; i++) await insert(daysAgo(40), { delivered: daysAgo(39) }); // old, delivered: removed
      await insert(daysAgo(40), { dead: daysAgo(35) }); // dead long ago: removed
      await insert(daysAgo(40), { delivered: daysAgo(2) }); // delivered lately, after a long wait: kept
      await insert(daysAgo(40), { dead: daysAgo(1) }); // dead lately: kept (an operator may re-drive it)
      await insert(daysAgo(40), { parked: true }); // parked: kept however old
      await insert(daysAgo(40), {}); // open: kept
      await insert(daysAgo(1), { delivered: daysAgo(1) }); // recent: kept
      const first = await removeOldEvents(db, { now, batchSize: 4, maxBatches: 1 });
      const second = await removeOldEvents(db, { now, batchSize: 4, maxBatches: 5 });
      expect([first, second]).toEqual([4, 2]);
      expect(await removeOldEvents(db, { now })).toBe(0);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from token_events`.execute(db);
      expect(rows[0].n).toBe(5);
    });
  });
}
