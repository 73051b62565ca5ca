// Registration is one statement that locks the project's counter last (so batches insert side by
// side): the cap must still hold exactly under concurrent registrants, overlapping batches must
// not deadlock, and the registered count (the counter less the striped deletions, migration 016)
// must always equal the rows. PostgreSQL only: PGlite has a single
// connection, so nothing there runs concurrently.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  deleteTokens,
  registeredCountSql,
  registerTokenRequest,
  registerTokens,
} from '../../src/tokens/token-store.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { ids, tokenProject } from '../helpers/token-fixtures.js';

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;

describe.skipIf(!postgres.available)('concurrent registration on postgres', () => {
  const fresh = useFreshDatabase(postgres, { poolSize: 9, namedStatements: true });
  const counterAndRows = async (projectId: string) => {
    const { rows } = await sql<{ counter: number; stored: number }>`
      select ${registeredCountSql(projectId)} as counter,
             (select count(*)::int from tokens where project_id = ${projectId}) as stored`.execute(fresh.database.db);
    return rows[0];
  };

  beforeAll(async () => {
    await tokenProject(fresh.database.db, 'cap', {});
    await tokenProject(fresh.database.db, 'overlap', {});
    await registerTokens(fresh.database.db, 'cap', ids('seed', 98_000));
  });

  it('8 registrants of 500 new IDs at 98,000: exactly 4 fit, 4 are refused whole; counter = rows', async () => {
    const register = (i: number) => registerTokenRequest(fresh.database.db, 'cap', ids(`racer${i}`, 500));
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => register(i)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(4);
    for (const o of outcomes) {
      if (o.status !== 'rejected') continue;
      expect(String(o.reason)).toMatch(/\[request_token_limit_exceeded\] project "cap" holds/);
    }
    expect(await counterAndRows('cap')).toEqual({ counter: 100_000, stored: 100_000 });
    const racers = await sql<{ prefix: string; n: number }>`
      select split_part(token_id, '-', 1) as prefix, count(*)::int as n from tokens
      where project_id = 'cap' and token_id like 'racer%' group by 1`.execute(fresh.database.db);
    expect(racers.rows.map((r) => r.n)).toEqual([500, 500, 500, 500]); // whole batches, never part of one
  });

  it('batches overwriting the same IDs in opposite orders, and deletions of them, finish; counter = rows', async () => {
    const shared = ids('shared', 500);
    await registerTokens(fresh.database.db, 'overlap', shared);
    const work = [
      registerTokenRequest(fresh.database.db, 'overlap', shared),
      registerTokenRequest(fresh.database.db, 'overlap', [...shared].reverse()),
      registerTokenRequest(fresh.database.db, 'overlap', [...shared.slice(250), ...ids('fresh', 250)]),
      deleteTokens(fresh.database.db, 'overlap', shared.slice(0, 100)),
      registerTokenRequest(fresh.database.db, 'overlap', [...shared].reverse()),
    ];
    const settled = await Promise.allSettled(work);
    const failures = settled
      .filter((s): s is PromiseRejectedResult => s.status === 'rejected')
      .map((s) => String(s.reason));
    expect(failures).toEqual([]);
    const { counter, stored } = await counterAndRows('overlap');
    expect(counter).toBe(stored);
    expect(stored).toBeGreaterThanOrEqual(650);
  });
});
