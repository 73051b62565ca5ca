// Named statements (serve's PostgreSQL pool): a statement with parameters is parsed once per
// connection; parameterless texts (migrations: several commands) still run; the set of names is
// bounded; a prepared `SELECT *` outlives a column added meanwhile.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { StatementNames } from '../../src/db/named-statements.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';

describe('statement names', () => {
  it('names a text once; leaves parameterless, bulk and transaction-control texts unnamed; stops at its bound', () => {
    const names = new StatementNames();
    const first = names.nameOf('select $1', 1);
    expect(first).toMatch(/^argos_\d+$/);
    expect(names.nameOf('select $1', 1)).toBe(first);
    expect(names.nameOf('select 1; select 2', 0)).toBeUndefined();
    const bulk = 'insert into t values ' + Array.from({ length: 65 }, (_, i) => `($${i + 1})`).join(',');
    expect(names.nameOf(bulk, 65)).toBeUndefined();
    expect(names.nameOf('begin', 0)).toBeUndefined();
    for (let i = 0; i < 1000; i++) names.nameOf(`select $1 + ${i}`, 1);
    expect(names.size).toBe(300);
    expect(names.nameOf('select $1 + 5000', 1)).toBeUndefined();
  });
});

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;

describe.skipIf(!postgres.available)('named statements on postgres', () => {
  const fresh = useFreshDatabase(postgres, { poolSize: 1, namedStatements: true });

  it('parses a statement with parameters once on a connection and runs it many times', async () => {
    const db = fresh.database.db;
    for (let i = 0; i < 3; i++) {
      expect((await sql<{ n: number }>`select ${i}::int + 1 as n`.execute(db)).rows[0].n).toBe(i + 1);
    }
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_prepared_statements where statement = 'select $1::int + 1 as n'`.execute(db);
    expect(rows[0].n).toBe(1);
  });

  it('runs a parameterless text of several commands (the simple protocol)', async () => {
    await sql.raw('create table several (a int); insert into several values (1);').execute(fresh.database.db);
    const { rows } = await sql<{ a: number }>`select a from several where a = ${1}`.execute(fresh.database.db);
    expect(rows).toEqual([{ a: 1 }]);
  });

  it('a prepared select * still answers after a column was added, with the new column', async () => {
    const db = fresh.database.db;
    await sql`create table widening (a int)`.execute(db);
    await sql`insert into widening values (1)`.execute(db);
    const read = () => sql<Record<string, unknown>>`select * from widening where a = ${1}`.execute(db);
    expect((await read()).rows).toEqual([{ a: 1 }]);
    await sql`alter table widening add column b int default 2`.execute(db);
    expect((await read()).rows).toEqual([{ a: 1, b: 2 }]);
  });
});
