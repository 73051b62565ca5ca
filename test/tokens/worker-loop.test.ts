// `serve --worker` is the worker: with an injected clock, both `argosctl worker` and `serve --worker`
// (in process, through the CLI's entry point) run the 10-minute prune tick: a worker_ticks row for the
// injected time, expired tokens of an onExpiration project deleted, liveform sessions and token uses
// past --session-retention and delivered webhook events past --event-retention removed (newer and
// open ones kept), and /metrics counts one prune pass, not one per
// project. On both databases.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processContext, type CliContext } from '../../src/cli/context.js';
import { run } from '../../src/cli/run.js';
import { migrateToLatest, openDatabase } from '../../src/db/connection.js';
import { makeStyle } from '../../src/render/style.js';
import { registerTokens } from '../../src/tokens/token-store.js';
import { tickOf, type Clock } from '../../src/tokens/worker.js';
import { tempDir } from '../helpers/cli.js';
import { DATABASE_TARGETS, useSharedMemoryDatabase } from '../helpers/databases.js';
import { ids, tokenProject } from '../helpers/token-fixtures.js';
import { waitFor } from '../helpers/wait.js';

/** Far from the real time: only the injected clock can make the tick land here. */
const NOW = new Date('2031-03-04T05:06:07Z');
const DAY = 24 * 60 * 60 * 1000;

/** Time stands still at NOW; sleeping lasts until the command is stopped. */
const stillClock: Clock = {
  now: () => NOW,
  sleep: (_ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    }),
};

function context(stop: AbortSignal): { ctx: CliContext; stderr: () => string } {
  let stderr = '';
  const plain = makeStyle(false);
  const ctx: CliContext = {
    ...processContext(),
    out: () => {},
    err: (t) => {
      stderr += t;
    },
    style: plain,
    errStyle: plain,
    env: { ARGOS_MASTER_KEY: process.env.ARGOS_MASTER_KEY },
    cwd: tempDir(),
    stdinIsTTY: false,
    stdoutIsTTY: false,
    clock: stillClock,
    stop,
  };
  return { ctx, stderr: () => stderr };
}

/** Two projects that delete on expiration, with expired tokens, and sessions/uses old and new. */
async function seed(url: string): Promise<void> {
  const database = await openDatabase(url);
  try {
    await migrateToLatest(database.db);
    await sql`truncate projects, tokens, token_counts, token_events, worker_ticks, prune_runs, liveform_sessions, token_uses cascade`.execute(
      database.db,
    );
    for (const id of ['wl1', 'wl2']) {
      await tokenProject(database.db, id, { expiration: 'count', deleteOnExpiration: true });
      await registerTokens(database.db, id, ids(id, 3));
    }
    await sql`update tokens set expired_at = ${new Date(NOW.getTime() - DAY)} where token_id like 'wl1-%'`.execute(
      database.db,
    );
    const old = new Date(NOW.getTime() - 31 * DAY);
    const recent = new Date(NOW.getTime() - 2 * DAY);
    await sql`insert into liveform_sessions (id, project_id, token_id, pre_registered, started_at) values
      ('00000000-0000-4000-8000-000000000001', 'wl1', null, false, ${old}),
      ('00000000-0000-4000-8000-000000000002', 'wl1', null, false, ${recent})`.execute(database.db);
    await sql`insert into token_uses (project_id, token_id, first_used_at, final_result, final_at) values
      ('wl2', 'old-use', ${old}, null, null),
      ('wl2', 'old-use-recent-result', ${old}, 'approved', ${recent}),
      ('wl2', 'recent-use', ${recent}, null, null)`.execute(database.db);
    // Webhook events: one delivered before --event-retention (removed), one delivered lately and one
    // still open since long ago (both kept).
    await sql`insert into token_events (project_id, payload, created_at, delivered_at) values
      ('wl1', '{"webhook_trigger": "token_expired", "n": 1}', ${old}, ${old}),
      ('wl1', '{"webhook_trigger": "token_expired", "n": 2}', ${old}, ${recent}),
      ('wl1', '{"webhook_trigger": "token_expired", "n": 3}', ${old}, null)`.execute(database.db);
  } finally {
    await database.close();
  }
}

async function expectPruned(url: string): Promise<void> {
  const database = await openDatabase(url);
  try {
    const ticks = await sql<{ tick: Date; status: string }>`select tick, status from worker_ticks`.execute(database.db);
    expect(ticks.rows.map((r) => [new Date(r.tick).toISOString(), r.status])).toEqual([
      [tickOf(NOW).toISOString(), 'done'],
    ]);
    const left = await sql<{ token_id: string }>`select token_id from tokens order by token_id`.execute(database.db);
    expect(left.rows.map((r) => r.token_id)).toEqual(ids('wl2', 3)); // wl1's expired tokens deleted
    const sessions = await sql<{ id: string }>`select id from liveform_sessions`.execute(database.db);
    expect(sessions.rows.map((r) => r.id)).toEqual(['00000000-0000-4000-8000-000000000002']);
    const uses = await sql<{ token_id: string }>`select token_id from token_uses order by token_id`.execute(
      database.db,
    );
    expect(uses.rows.map((r) => r.token_id)).toEqual(['old-use-recent-result', 'recent-use']);
    const events = await sql<{ n: number }>`select (payload->>'n')::int as n from token_events order by n`.execute(
      database.db,
    );
    expect(events.rows.map((r) => r.n)).toEqual([2, 3]);
  } finally {
    await database.close();
  }
}

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`one worker loop on ${target.name}`, () => {
    // One database for both tests (each seeds it afresh): an embedded one is slow to create, and is
    // held open so that each command and check shares it instead of opening it again.
    const embedded = target.name === 'pglite' ? useSharedMemoryDatabase() : undefined;
    let db: { url: string; release(): void };
    beforeAll(async () => {
      db = embedded ? { url: embedded.url, release: () => {} } : await target.fresh();
    });
    afterAll(() => db?.release());

    it('argosctl worker --once runs the prune tick of the injected clock and removes rows past retention', async () => {
      await seed(db.url);
      {
        const { ctx, stderr } = context(new AbortController().signal);
        const code = await run(['worker', '--once', '--database-url', db.url], ctx);
        expect(code, stderr()).toBe(0);
        expect(stderr()).toContain(
          `${tickOf(NOW).toISOString()}: pass done over 2 project(s), 3 token(s) deleted; 1 session(s) and 1 token use(s) past retention removed; 1 delivered or dead webhook event(s) past retention removed; 1 webhook event(s) of projects without a webhook parked`,
        );
        await expectPruned(db.url);
      }
    });

    it('serve --worker runs the same tick; /metrics counts one prune pass over two projects', async () => {
      await seed(db.url);
      {
        const stop = new AbortController();
        const { ctx, stderr } = context(stop.signal);
        const serving = run(['serve', '--port', '0', '--worker', '--database-url', db.url], ctx);
        await waitFor('the tick', () => stderr().includes('pass done') || /error/i.test(stderr()));
        const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr())?.[1];
        expect(stderr()).toContain(`worker: ${tickOf(NOW).toISOString()}: pass done over 2 project(s)`);
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        expect(metrics).toContain('argos_prune_passes_total{outcome="done"} 1\n');
        expect(metrics).toMatch(
          /# HELP argos_prune_passes_total Pruning passes run by the worker \(one per 10-minute tick/,
        );
        stop.abort();
        expect(await serving, stderr()).toBe(0);
        await expectPruned(db.url);
      }
    });
  });
}
