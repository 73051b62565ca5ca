// Traffic facts: three serve replicas behind one database count exactly what the client sent
// (additive upserts, flushed when each replica closes); Token API calls keep the caller's address
// and the key generation, admissions keep their kind and never the end user's address or a token ID.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { registerTokens } from '../../src/tokens/token-store.js';
import { TrafficCounter, OTHER } from '../../src/server/traffic-counter.js';
import { addTrafficRows } from '../../src/server/traffic-flush.js';
import { removeExpiredTraffic } from '../../src/tokens/traffic-retention.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { applyManifests, call, manifest, reveal, startService, type Service } from '../helpers/service.js';

const TOKEN_IDS = ['secret-token-aaaa', 'secret-token-bbbb'];

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`traffic facts on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    const services: Service[] = [];
    const extra: Database[] = [];
    let key = '';
    const sent = { calls: 0, admitted: 0, refused: 0 };

    beforeAll(async () => {
      await applyManifests(fresh.database, {
        shop: manifest(
          'shop',
          '  liveform:\n    tokens: { preRegistration: true }\n  security:\n    apiKey: { rotation: 1 }\n    ipWhitelist: { api: [127.0.0.1] }\n',
        ),
      });
      await registerTokens(fresh.database.db, 'shop', TOKEN_IDS);
      key = await reveal(fresh.database, 'shop');
      // Three replicas: on PostgreSQL each with its own pool, as separate processes would be.
      for (let i = 0; i < 3; i++) {
        const database = target.name === 'postgres' && i > 0 ? await openDatabase(fresh.url) : fresh.database;
        if (database !== fresh.database) extra.push(database);
        services.push(await startService(database, { trafficFacts: { flushMs: 60_000 } }));
      }
    });
    afterAll(async () => {
      for (const db of extra) await db.close();
    });

    it('three replicas count exactly what the client sent', async () => {
      const sessions: string[] = [];
      for (let i = 0; i < 30; i++) {
        const svc = services[i % 3];
        expect((await call(svc.base, 'GET', '/v1/projects/shop/tokens/count', { key })).status).toBe(200);
        sent.calls++;
        const token = TOKEN_IDS[i % 2];
        const admitted = await call(svc.base, 'POST', '/v1/liveform/start', {
          body: { pid: 'shop', token: i < 2 ? token : `unknown-${token}` },
        });
        if (admitted.status === 200) {
          sent.admitted++;
          sessions.push(String(admitted.body.sessionId));
        } else sent.refused++;
      }
      // /complete checks its caller in the statement that completes the session: the session's
      // project and the key's generation are counted all the same, a refused key is not.
      const complete = (svc: Service, sessionId: string, k: string) =>
        call(svc.base, 'POST', `/v1/liveform/sessions/${sessionId}/complete`, { body: { result: 'approved' }, key: k });
      expect((await complete(services[1], sessions[0], 'argos_wrong')).status).toBe(401);
      expect((await complete(services[1], sessions[0], key)).status).toBe(200);
      expect((await complete(services[2], sessions[1], key)).status).toBe(200);
      expect((await complete(services[2], sessions[1], key)).status).toBe(409);
      // A wrong key and an unknown project are not counted: their project is not established.
      await call(services[0].base, 'GET', '/v1/projects/shop/tokens/count', { key: 'argos_wrong' });
      await call(services[0].base, 'POST', '/v1/liveform/start', { body: { pid: 'no-such-project' } });
      for (const svc of services) await svc.close(); // each flushes what it counted
      const { rows } = await sql<{ route: string; outcome: string; n: number; callers: string }>`
        select route, outcome, sum(count)::int as n, string_agg(distinct caller, ',') as callers
        from traffic_facts group by route, outcome order by route, outcome`.execute(fresh.database.db);
      expect(rows).toEqual([
        { route: '/v1/liveform/sessions/:sessionId/complete', outcome: 'ok', n: 2, callers: '127.0.0.1' },
        {
          route: '/v1/liveform/sessions/:sessionId/complete',
          outcome: 'session_completed',
          n: 1,
          callers: '127.0.0.1',
        },
        { route: '/v1/liveform/start', outcome: 'ok', n: sent.admitted, callers: '' },
        { route: '/v1/liveform/start', outcome: 'token_not_found', n: sent.refused, callers: '' },
        { route: '/v1/projects/:pid/tokens/count', outcome: 'ok', n: sent.calls, callers: '127.0.0.1' },
      ]);
      expect(sent).toEqual({ calls: 30, admitted: 2, refused: 28 });
      const kinds = await sql<{ encryption: string; token: string; key_rotation: number; n: number }>`
        select encryption, token, key_rotation, sum(count)::int as n from traffic_facts
        group by 1, 2, 3 order by 1, 2, 3`.execute(fresh.database.db);
      expect(kinds.rows).toEqual([
        { encryption: '', token: '', key_rotation: 1, n: 33 },
        { encryption: 'plain', token: 'registered', key_rotation: 0, n: 2 },
        { encryption: 'plain', token: 'unregistered', key_rotation: 0, n: 28 },
      ]);
    });

    it('no token ID and no end-user address appears in the table', async () => {
      const { rows } = await sql<{
        row: string;
      }>`select cast(row_to_json(t) as text) as row from traffic_facts t`.execute(fresh.database.db);
      const text = rows.map((r) => r.row).join('\n');
      for (const id of TOKEN_IDS) expect(text).not.toContain(id);
      expect(text).not.toContain('argos_');
      const admissions = await sql<{ caller: string }>`
        select distinct caller from traffic_facts where route like '/v1/liveform/start'`.execute(fresh.database.db);
      expect(admissions.rows).toEqual([{ caller: '' }]);
    });

    it('retention removes rows older than --traffic-retention in bounded batches', async () => {
      const now = new Date('2026-12-01T00:00:00Z');
      const row = (hour: string, caller: string) => ({
        project_id: 'shop',
        hour,
        route: '/r',
        outcome: 'ok',
        caller,
        encryption: '',
        token: '',
        key_rotation: 1,
        count: 2,
      });
      const old = Array.from({ length: 7 }, (_, i) => row('2026-10-01T00:00:00.000Z', `10.0.0.${i}`));
      await addTrafficRows(fresh.database.db, [...old, row('2026-11-30T00:00:00.000Z', '10.0.0.1')]);
      await addTrafficRows(fresh.database.db, [row('2026-11-30T00:00:00.000Z', '10.0.0.1')]); // adds up
      const first = await removeExpiredTraffic(fresh.database.db, { now, batchSize: 3, maxBatches: 2 });
      const second = await removeExpiredTraffic(fresh.database.db, { now, batchSize: 3, maxBatches: 2 });
      expect([first, second]).toEqual([6, 1]);
      const { rows } = await sql<{ n: number }>`
        select sum(count)::int as n from traffic_facts where route = '/r'`.execute(fresh.database.db);
      expect(rows[0].n).toBe(4);
    });
  });
}

describe('the in-memory counter stays bounded', () => {
  it('past the per-hour cap new callers become (other) of their project, then one (other) row', () => {
    const counter = new TrafficCounter(10);
    const at = new Date('2026-12-01T10:30:00Z');
    for (let i = 0; i < 1000; i++)
      counter.count({ projectId: `p${i % 50}`, route: '/r', outcome: 'ok', caller: `10.0.${i >> 8}.${i & 255}` }, at);
    const rows = counter.drain();
    expect(rows.length).toBeLessThanOrEqual(10 + 1 + 1); // the cap, its reserve, one (other) row
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(1000);
    expect(rows.some((r) => r.project_id === OTHER)).toBe(true);
  });
});
