// The lock order every writer of a project's tokens keeps (counted-deletion.ts): token rows, then
// the deletion stripes, then the counter row. Checked on PostgreSQL itself, not by reading the SQL:
// a side connection holds one of the three, the writer is started and left waiting on it, and a
// third connection probes (FOR UPDATE NOWAIT) which of the others the writer already holds. In
// registerChunk the stripes come first only because the outer SELECT reads `folded` before
// `counted` (ON CONFLICT locks the counter before evaluating its SET): dropping that unused-looking
// column flips the order, and this test fails.
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { foldDeletions } from '../../src/tokens/counted-deletion.js';
import { prunePass } from '../../src/tokens/prune.js';
import { deleteOldestTokens, registerTokenRequest, registerTokens } from '../../src/tokens/token-store.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { ids, tokenProject } from '../helpers/token-fixtures.js';

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;

type Held = { counter: boolean; stripe: boolean; row: (id: string) => Promise<boolean> };

describe.skipIf(!postgres.available)('lock order of token writers on postgres', () => {
  const fresh = useFreshDatabase(postgres, { poolSize: 4 });

  /** Whether some other transaction holds the row `select … for update nowait` would lock. */
  async function locked(probe: pg.Client, query: string, params: unknown[] = []): Promise<boolean> {
    await probe.query('begin');
    try {
      await probe.query(`${query} for update nowait`, params);
      return false;
    } catch (err) {
      if ((err as { code?: string }).code === '55P03') return true;
      throw err;
    } finally {
      await probe.query('rollback');
    }
  }

  /**
   * Holds `hold` in a side transaction, starts `writer`, waits until it waits on a lock, then
   * reports what the writer holds (besides what the side transaction holds), and lets it finish.
   */
  async function whileWaiting(
    projectId: string,
    hold: string,
    writer: () => Promise<unknown>,
    look: (held: Held) => Promise<void>,
  ): Promise<void> {
    const holder = new pg.Client({ connectionString: fresh.url });
    const probe = new pg.Client({ connectionString: fresh.url });
    await holder.connect();
    await probe.connect();
    try {
      const holderPid = (await holder.query('select pg_backend_pid() as pid')).rows[0].pid as number;
      await holder.query('begin');
      await holder.query(hold, [projectId]);
      const running = writer();
      running.catch(() => {});
      let waiting = false;
      for (let i = 0; i < 400 && !waiting; i++) {
        const { rows } = await probe.query(
          `select count(*)::int as n from pg_locks l join pg_locks h on h.locktype = 'transactionid'
             and h.transactionid = l.transactionid and h.granted and h.pid = $1
           where not l.granted`,
          [holderPid],
        );
        waiting = rows[0].n > 0;
        if (!waiting) await new Promise((r) => setTimeout(r, 10));
      }
      expect({ hold, waiting }).toEqual({ hold, waiting: true });
      await look({
        counter: await locked(probe, `select 1 from token_counts where project_id = $1`, [projectId]),
        stripe: await locked(probe, `select 1 from token_deleted_counts where project_id = $1 and stripe = 31`, [
          projectId,
        ]),
        row: (id) => locked(probe, `select 1 from tokens where project_id = $1 and token_id = $2`, [projectId, id]),
      });
      await holder.query('commit');
      await running;
    } finally {
      await holder.end();
      await probe.end();
    }
  }

  const HOLD_COUNTER = `select 1 from token_counts where project_id = $1 for no key update`;
  const HOLD_STRIPE = `select 1 from token_deleted_counts where project_id = $1 and stripe = 30 for update`;
  const holdRow = (id: string) => `select 1 from tokens where project_id = $1 and token_id = '${id}' for update`;

  /** Two unfolded deletion stripes (30 and 31) for a deletion of 2 the counter already counted out. */
  async function stripes(projectId: string): Promise<void> {
    const db = fresh.database.db;
    await sql`update token_counts set registered = registered + 2 where project_id = ${projectId}`.execute(db);
    await sql`insert into token_deleted_counts values (${projectId}, 30, 1), (${projectId}, 31, 1)
      on conflict (project_id, stripe) do update set deleted = token_deleted_counts.deleted + 1`.execute(db);
  }

  /** A project of 20 tokens registered one after the other (t-0 the oldest), with two stripes. */
  async function project(projectId: string): Promise<void> {
    const db = fresh.database.db;
    await tokenProject(db, projectId, { expiration: 'time', deleteOnExpiration: true });
    for (let i = 0; i < 20; i++) await registerTokens(db, projectId, ids('t', 1, i));
    await stripes(projectId);
  }

  async function expectExact(projectId: string, n: number): Promise<void> {
    const { rows } = await sql<{ counted: number; stored: number }>`
      select (select registered from token_counts where project_id = ${projectId})
             - coalesce((select sum(deleted) from token_deleted_counts where project_id = ${projectId}), 0) as counted,
             (select count(*) from tokens where project_id = ${projectId}) as stored`.execute(fresh.database.db);
    expect({ counted: Number(rows[0].counted), stored: Number(rows[0].stored) }).toEqual({ counted: n, stored: n });
  }

  it('a registration takes its rows, then the stripes, then the counter', async () => {
    const db = fresh.database.db;
    await project('reg');
    const register = () => registerTokenRequest(db, 'reg', [...ids('t', 2, 3), ...ids('new', 1)]);
    await whileWaiting('reg', HOLD_COUNTER, register, async (h) => {
      expect({ stripe: h.stripe, row: await h.row(ids('t', 1, 3)[0]) }).toEqual({ stripe: true, row: true });
    });
    await stripes('reg');
    await whileWaiting('reg', HOLD_STRIPE, register, async (h) => {
      expect({ counter: h.counter, row: await h.row(ids('t', 1, 3)[0]) }).toEqual({ counter: false, row: true });
    });
    await stripes('reg');
    await whileWaiting('reg', holdRow(ids('t', 1, 4)[0]), register, async (h) => {
      expect({ counter: h.counter, stripe: h.stripe }).toEqual({ counter: false, stripe: false });
    });
    await expectExact('reg', 21);
  });

  it('an import of several chunks holds neither the stripes nor the counter before its last chunk', async () => {
    const db = fresh.database.db;
    await project('imp');
    // 20,001 IDs: the first chunk overwrites t-3, the second (last) counts; the holder keeps t-19 (second chunk)
    const all = [...ids('a', 19_999), ...ids('t', 2, 3)].sort();
    expect(all.indexOf(ids('t', 1, 4)[0])).toBe(20_000);
    const bigger = [...all.slice(0, 20_000), ids('t', 1, 19)[0]];
    await whileWaiting(
      'imp',
      holdRow(ids('t', 1, 19)[0]),
      () => registerTokens(db, 'imp', bigger),
      async (h) => {
        expect({ counter: h.counter, stripe: h.stripe, row: await h.row(ids('t', 1, 3)[0]) }).toEqual({
          counter: false,
          stripe: false,
          row: true,
        });
      },
    );
    await expectExact('imp', 20 + 19_999);
  });

  it('a deletion of the oldest takes its rows, then the stripes, then the counter', async () => {
    const db = fresh.database.db;
    await project('old');
    const oldest = () => deleteOldestTokens(db, 'old', 3);
    // t-0, t-1, t-2: waiting on t-1, it holds t-0 and nothing else
    await whileWaiting('old', holdRow(ids('t', 1, 1)[0]), oldest, async (h) => {
      expect({ counter: h.counter, stripe: h.stripe, row0: await h.row(ids('t', 1, 0)[0]) }).toEqual({
        counter: false,
        stripe: false,
        row0: true,
      });
    });
    await stripes('old'); // t-3, t-4, t-5
    await whileWaiting('old', HOLD_STRIPE, oldest, async (h) => {
      expect({ counter: h.counter, row: await h.row(ids('t', 1, 3)[0]) }).toEqual({ counter: false, row: true });
    });
    await stripes('old'); // t-6, t-7, t-8
    await whileWaiting('old', HOLD_COUNTER, oldest, async (h) => {
      expect({ stripe: h.stripe, row: await h.row(ids('t', 1, 6)[0]) }).toEqual({ stripe: true, row: true });
    });
    await expectExact('old', 11);
  });

  it('prune never waits for a row another writer holds: it deletes the others and leaves that one to its next pass', async () => {
    const db = fresh.database.db;
    await project('skip');
    // expired tokens t-9 and t-10, t-10 held by another transaction (a registration overwriting it, say)
    await sql`update tokens set expires_at = now(), expired_at = now()
      where project_id = 'skip' and token_id in (${ids('t', 1, 9)[0]}, ${ids('t', 1, 10)[0]})`.execute(db);
    const holder = new pg.Client({ connectionString: fresh.url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query(holdRow(ids('t', 1, 10)[0]), ['skip']);
      const [pass] = await prunePass(db, { projects: ['skip'], batchSize: 2 });
      expect(pass.expiredDeleted).toBe(1);
      await holder.query('commit');
    } finally {
      await holder.end();
    }
    await expectExact('skip', 19);
    const [next] = await prunePass(db, { projects: ['skip'], batchSize: 2 });
    expect(next.expiredDeleted).toBe(1);
    await expectExact('skip', 18);
  });

  it('ID order is byte order whatever the database collation: collate "C" sorts IDs as a registration does in JavaScript', async () => {
    const mixed = ['beta-0001', 'Alpha-001', 'alpha-001', 'Beta-0001', '0-zeta-01', 'a_b.c-001', 'A-B.C_001'];
    const js = [...mixed].sort();
    const order = async (collation: string) =>
      (
        await sql<{ id: string }>`select id from unnest(cast(${`{${mixed.join(',')}}`} as text[])) as s(id)
          order by id collate ${sql.id(collation)}`.execute(fresh.database.db)
      ).rows.map((r) => r.id);
    expect(await order('C')).toEqual(js);
    // An ICU collation (a database created with one, say) orders them otherwise: without collate "C",
    // a deletion by ID and a registration would lock the same rows in two orders.
    expect(await order('und-x-icu')).not.toEqual(js);
  });

  it("the worker's fold takes the stripes, then the counter", async () => {
    const db = fresh.database.db;
    await project('fold');
    await whileWaiting(
      'fold',
      HOLD_COUNTER,
      () => foldDeletions(db, 'fold'),
      async (h) => {
        expect(h.stripe).toBe(true);
      },
    );
    await stripes('fold');
    await whileWaiting(
      'fold',
      HOLD_STRIPE,
      () => foldDeletions(db, 'fold'),
      async (h) => {
        expect(h.counter).toBe(false);
      },
    );
    await expectExact('fold', 20);
  });
});
