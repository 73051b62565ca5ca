// The suite's pool of embedded databases (test/helpers/pglite-pool.ts): a database is reused only
// once it is again what a new one is; what a file left in it never reaches the next.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/connection.js';
import { matchesNew, poolCounts, takeMemoryDatabase } from '../helpers/pglite-pool.js';
import { tokenProject } from '../helpers/token-fixtures.js';

const rowsOf = async (db: Awaited<ReturnType<typeof takeMemoryDatabase>>['db'], table: string) =>
  (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db)).rows[0].n;

async function auditRow(db: Awaited<ReturnType<typeof takeMemoryDatabase>>['db']): Promise<string> {
  const { rows } = await sql<{
    id: string;
  }>`insert into audit_log (actor, plan_digest, project_id, action, path, reason)
    values ('t', 'd', 'p', 'create', 'x', 'r') returning id`.execute(db);
  return String(rows[0].id);
}

describe('the embedded database pool of the test suite', () => {
  it('a database comes back emptied, its identities restarted, its migrations kept, and is reused', async () => {
    const first = await takeMemoryDatabase();
    await tokenProject(first.db, 'left-behind', { webhook: {} });
    await sql`insert into token_events (project_id, payload) values ('left-behind', '{}')`.execute(first.db);
    expect(await auditRow(first.db)).toBe('1');
    expect(await auditRow(first.db)).toBe('2');
    await sql`set statement_timeout = 1234`.execute(first.db);
    await first.close();

    const reusedBefore = poolCounts.reused;
    const second = await takeMemoryDatabase();
    expect(poolCounts.reused).toBe(reusedBefore + 1);
    expect(await rowsOf(second.db, 'projects')).toBe(0);
    expect(await rowsOf(second.db, 'token_events')).toBe(0);
    expect(await auditRow(second.db)).toBe('1');
    const { rows } = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(second.db);
    expect(rows[0].statement_timeout).toBe('0');
    expect(await migrateToLatest(second.db)).toEqual([]); // still migrated: nothing to run
    await second.close();
  });

  it('a database whose schema a file changed is closed, not handed to the next', async () => {
    const changed = await takeMemoryDatabase();
    await sql`create table left_over (x int)`.execute(changed.db);
    await sql`alter table projects add column extra text`.execute(changed.db);
    const refusedBefore = poolCounts.refused;
    await changed.close();
    expect(poolCounts.refused).toBe(refusedBefore + 1);
    // Whatever the pool holds now, none of it has those.
    for (let i = 0; i < 3; i++) {
      const next = await takeMemoryDatabase();
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from information_schema.columns
        where table_name = 'left_over' or (table_name = 'projects' and column_name = 'extra')`.execute(next.db);
      expect(rows[0].n).toBe(0);
      await next.close();
    }
  });

  it("a database a file analyzed is not reused (its statistics would change the next file's plans); counters start at zero", async () => {
    const analyzed = await takeMemoryDatabase();
    await tokenProject(analyzed.db, 'stats');
    await sql`analyze projects`.execute(analyzed.db);
    const refusedBefore = poolCounts.refused;
    await analyzed.close();
    expect(poolCounts.refused).toBe(refusedBefore + 1);

    const written = await takeMemoryDatabase();
    for (let i = 0; i < 60; i++) await auditRow(written.db);
    await written.close();
    const next = await takeMemoryDatabase();
    await sql`select pg_stat_force_next_flush()`.execute(next.db);
    const { rows } = await sql<{ n: number }>`select coalesce(sum(n_mod_since_analyze), 0)::int as n
      from pg_stat_user_tables where relname = 'audit_log'`.execute(next.db);
    expect(rows[0].n).toBe(0);
    await next.close();
  });

  it('the comparison sees a large object, row security, table options, a statistics target and a grant left behind', async () => {
    const database = await takeMemoryDatabase();
    expect(await matchesNew(database.db)).toBe(true);
    for (const [change, undo] of [
      [`select lo_from_bytea(0, 'left over')`, 'select lo_unlink(oid) from pg_largeobject_metadata'],
      ['alter table projects enable row level security', 'alter table projects disable row level security'],
      ['alter table tokens set (fillfactor = 10)', 'alter table tokens reset (fillfactor)'],
      [
        'alter table projects alter column name set statistics 1',
        'alter table projects alter column name set statistics -1',
      ],
    ]) {
      await sql.raw(change).execute(database.db);
      expect({ change, matches: await matchesNew(database.db) }).toEqual({ change, matches: false });
      await sql.raw(undo).execute(database.db);
      expect({ undo, matches: await matchesNew(database.db) }).toEqual({ undo, matches: true });
    }
    // A grant, even revoked again, leaves the table's privileges written out: never the same again.
    await sql`grant select on projects to public`.execute(database.db);
    expect(await matchesNew(database.db)).toBe(false);
    const refusedBefore = poolCounts.refused;
    await database.close();
    expect(poolCounts.refused).toBe(refusedBefore + 1);
  });

  it('a database closed inside a transaction it left open is not reused', async () => {
    const open = await takeMemoryDatabase();
    const connection = await open.db.connection().execute(async (c) => {
      await sql`begin`.execute(c);
      await tokenProject(c, 'uncommitted');
      return 'left open';
    });
    expect(connection).toBe('left open');
    const refusedBefore = poolCounts.refused;
    await open.close();
    expect(poolCounts.refused).toBe(refusedBefore + 1);
    const next = await takeMemoryDatabase();
    expect(await rowsOf(next.db, 'projects')).toBe(0);
    await next.close();
  });
});
