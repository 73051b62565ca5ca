// serve's statements keep one plan per connection. A named statement is planned for its values
// five times; after that PostgreSQL keeps one shared plan unless that plan looks dearer than the
// ones made for the values, and then it plans afresh on every execution, which was most of the
// cost of the list and delete routes (`= any($ids)` priced at ten IDs, `limit $n` at a tenth of
// the project's tokens). Every route runs here often enough to settle, on one connection, with a
// project of 30,000 tokens; then no statement may have been planned for its values every time.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { applyManifests, call, manifest, reveal, startService, type Service } from '../helpers/service.js';
import { ids } from '../helpers/token-fixtures.js';

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;
const RUNS = 8;
const TOKENS = 30_000;

describe.skipIf(!postgres.available)('statement plans of the service on postgres', () => {
  // One connection: every statement below is prepared on it, and pg_prepared_statements shows them.
  const fresh = useFreshDatabase(postgres, { poolSize: 1, namedStatements: true });
  let svc: Service;
  let key: string;
  const tokens = '/v1/projects/plans/tokens';

  beforeAll(async () => {
    await applyManifests(fresh.database, {
      plans: manifest(
        'plans',
        '  liveform:\n    tokens: { preRegistration: true }\n  security:\n    apiKey: { rotation: 1 }\n',
      ),
    });
    key = await reveal(fresh.database, 'plans');
    const db = fresh.database.db;
    await sql`insert into tokens (project_id, token_id, registered_at)
      select 'plans', 'tok-' || lpad(i::text, 8, '0'), now() - make_interval(secs => ${TOKENS} - i)
      from generate_series(1, ${TOKENS}) as i`.execute(db);
    await sql`insert into token_counts (project_id, registered) values ('plans', ${TOKENS})
      on conflict (project_id) do update set registered = excluded.registered`.execute(db);
    await sql`analyze`.execute(db);
    svc = await startService(fresh.database);
  });
  afterAll(() => svc?.close());

  it(`after ${RUNS} requests to each route, none of its statements is planned afresh every time`, async () => {
    const id = (i: number) => `tok-${String(i).padStart(8, '0')}`;
    let cursor = ((await call(svc.base, 'GET', `${tokens}?limit=100`, { key })).body as { next: string }).next;
    for (let i = 0; i < RUNS; i++) {
      const replies = [
        await call(svc.base, 'GET', `${tokens}/count`, { key }),
        await call(svc.base, 'GET', `${tokens}/${id(1 + i)}`, { key }),
        await call(svc.base, 'GET', `${tokens}?limit=100&after=${cursor}`, { key }),
        await call(svc.base, 'POST', '/v1/liveform/check', { key, body: { pid: 'plans', token: id(100 + i) } }),
        await call(svc.base, 'POST', '/v1/liveform/start', { body: { pid: 'plans', token: id(200 + i) } }),
        await call(svc.base, 'DELETE', tokens, { key, body: { tokenIds: [id(10_000 + 997 * i)] } }),
        await call(svc.base, 'POST', tokens, { key, body: { tokenIds: ids(`new${i}`, 3) } }),
      ];
      const started = replies[4].body as { sessionId: string };
      replies.push(
        await call(svc.base, 'POST', `/v1/liveform/sessions/${started.sessionId}/complete`, {
          key,
          body: { result: 'approved' },
        }),
      );
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 200]);
      cursor = (replies[2].body as { next: string }).next;
    }
    const { rows } = await sql<{ statement: string; custom_plans: number }>`
      select statement, custom_plans::int from pg_prepared_statements
      where generic_plans = 0 and custom_plans >= ${RUNS}`.execute(fresh.database.db);
    expect(rows.map((r) => r.statement.replace(/\s+/g, ' ').slice(0, 160))).toEqual([]);
  });
});
