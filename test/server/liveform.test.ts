// Liveform admission over real HTTP: start, check (no side effects) and complete; CLOSE,
// emergency stop and encrypted-only refuse; count-based expiry exactly once under 16 racing
// clients; private mode; the 3-minute rule for tokens that are not pre-registered (injected clock).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTokens } from '../../src/tokens/token-store.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import {
  TEST_MASTER_KEY,
  applyManifests,
  call,
  manifest,
  reveal,
  startService,
  type Service,
} from '../helpers/service.js';
import { encryptingKey } from '../../src/keys/encryption-keys.js';
import { encryptParams } from '../../src/url/liveform-url.js';

const pre = (extra = '') => `  liveform:\n${extra}    tokens:\n      preRegistration: true\n`;
const T0 = new Date('2026-11-25T10:00:00Z');
/** /check and /complete need the project's API key (the customer's backend holds it). */
const KEYED = '  security:\n    apiKey: { rotation: 1 }\n';
/** A webhook subscribed to token_expired (the default): expiries write events only for such projects. */
const HOOKED = '  webhook: { url: "http://127.0.0.1:9/hook" }\n';

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`Liveform admission on ${target.name}`, () => {
    const fresh = useFreshDatabase(target, { namedStatements: true }); // as serve opens it
    let svc: Service;
    let clock = T0;
    const advance = (seconds: number) => {
      clock = new Date(clock.getTime() + seconds * 1000);
    };
    const start = (body: unknown) => call(svc.base, 'POST', '/v1/liveform/start', { body });
    const keys: Record<string, string> = {};
    const check = (body: unknown) =>
      call(svc.base, 'POST', '/v1/liveform/check', { body, key: keys[(body as { pid: string }).pid] });
    const complete = (sessionId: unknown, result: string, pid = 'private') =>
      call(svc.base, 'POST', `/v1/liveform/sessions/${sessionId}/complete`, { body: { result }, key: keys[pid] });

    beforeAll(async () => {
      await applyManifests(fresh.database, {
        // Its token_expired events are the evidence of exactly one expiry per token.
        count: manifest('count', `${pre()}      expiration: { mode: count }\n${KEYED}${HOOKED}`),
        private: manifest('private', pre('    privateMode: true\n') + KEYED),
        open: manifest('open', `  liveform: { privateMode: false }\n${KEYED}`),
        closed: manifest('closed', KEYED, 'CLOSE'),
        stopped: manifest('stopped', `  submissions: emergency-stop\n${KEYED}`),
        sealed: manifest(
          'sealed',
          `  encryption:\n    encryptedOnly: true\n    keys: [{ name: k1, status: active }]\n${KEYED}`,
        ),
      });
      for (const pid of ['count', 'private', 'open', 'closed', 'stopped', 'sealed'])
        keys[pid] = await reveal(fresh.database, pid);
      await registerTokens(fresh.database.db, 'count', [
        'race-token-1',
        'race-token-2',
        'race-token-3',
        'count-token-2',
      ]);
      await registerTokens(fresh.database.db, 'private', ['private-token-1']);
      svc = await startService(fresh.database, { now: () => clock });
    });
    afterAll(() => svc?.close());

    it('a registered count-based token is admitted with a session; the second start is refused token_expired', async () => {
      const first = await start({ pid: 'count', token: 'count-token-2' });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ admitted: true, expiresAt: T0.toISOString() });
      expect(first.body.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      const second = await start({ pid: 'count', token: 'count-token-2' });
      expect(second).toMatchObject({ status: 403, body: { admitted: false, code: 'token_expired' } });
    });

    it('16 clients racing on each of three count-based tokens: exactly one admitted per token, one token_expired event each', async () => {
      const racers = ['race-token-1', 'race-token-2', 'race-token-3'];
      const replies = await Promise.all(
        racers.flatMap((token) =>
          Array.from({ length: 16 }, () => start({ pid: 'count', token }).then((r) => ({ token, ...r }))),
        ),
      );
      for (const token of racers) {
        const mine = replies.filter((r) => r.token === token);
        expect({ token, admitted: mine.filter((r) => r.status === 200).length }).toEqual({ token, admitted: 1 });
        expect(mine.filter((r) => r.status === 403 && r.body.code === 'token_expired')).toHaveLength(15);
      }
      const events = await sql<{
        n: number;
      }>`select count(*)::int as n from token_events where project_id = 'count' and payload->>'token_id' like 'race-token-%'`.execute(
        fresh.database.db,
      );
      expect(events.rows[0].n).toBe(3);
    });

    it('refuses unknown tokens, a missing token, unknown projects, CLOSE, emergency stop and encrypted-only violations', async () => {
      const cases: [unknown, string][] = [
        [{ pid: 'count', token: 'never-registered' }, 'token_not_found'],
        [{ pid: 'count' }, 'token_not_found'],
        [{ pid: 'closed' }, 'project_closed'],
        [{ pid: 'stopped' }, 'emergency_stop'],
        [{ pid: 'sealed', params: { pid: 'sealed', email: 'a@b.example' }, encrypted: 'xyz' }, 'encrypted_only'],
        [{ pid: 'sealed', params: { lang: 'ko' } }, 'encrypted_only'],
      ];
      for (const [body, code] of cases) {
        for (const answer of [await check(body), await start(body)])
          expect({ body, status: answer.status, code: answer.body.code }).toEqual({ body, status: 403, code });
      }
      // /start is open: an unknown project is refused by name; /check needs a key, so it is the one 401
      expect((await start({ pid: 'no-such-project' })).body.code).toBe('invalid_project');
      expect((await check({ pid: 'no-such-project' })).body.code).toBe('invalid_api_key');
      const key = await encryptingKey(fresh.database.db, 'sealed', 'k1', () => TEST_MASTER_KEY);
      const ok = await start({
        pid: 'sealed',
        params: { pid: 'sealed', lang: 'ko', encrypted: encryptParams({ userid: 'u1' }, key, 'GCM') },
      });
      expect(ok.body).toMatchObject({ admitted: true });
    });

    it('a malformed body is 400 invalid_payload', async () => {
      const cases: [unknown, string][] = [
        [{}, 'invalid_payload'],
        [{ pid: 'count', params: { a: 1 } }, 'invalid_payload'],
        [{ pid: 'count', extra: true }, 'invalid_payload'],
        [{ pid: 'count', token: '' }, 'invalid_token_id_format'],
        [{ pid: 'count', token: 'x'.repeat(257) }, 'invalid_token_id_format'],
      ];
      for (const [body, code] of cases) {
        const r = await start(body);
        expect({ body, status: r.status, code: r.body.code }).toEqual({ body, status: 400, code });
      }
      const badResult = await complete('00000000-0000-0000-0000-000000000000', 'maybe');
      expect([badResult.status, badResult.body.code]).toEqual([400, 'invalid_payload']);
    });

    it('a NUL byte anywhere admission reads (pid, token, params, encrypted) is 400 invalid_payload for anyone, never a 500', async () => {
      const nul = 'race\u0000token-1';
      const bodies = [
        { pid: 'co\u0000unt' },
        { pid: 'count', token: nul },
        { pid: 'count', params: { token: nul } },
        { pid: 'open', params: { userid: nul } },
        { pid: 'sealed', encrypted: `gcm.${nul}` },
        { pid: 'sealed', params: { encrypted: `gcm.${nul}` } },
      ];
      const errorsBefore = svc.logs.filter((l) => l.includes('"level":"error"')).length;
      for (const body of bodies) {
        const started = await start(body);
        expect([body, started.status, started.body.code]).toEqual([body, 400, 'invalid_payload']);
        for (const key of [undefined, keys[body.pid] ?? keys.count]) {
          const checked = await call(svc.base, 'POST', '/v1/liveform/check', { body, key });
          expect([body, key, checked.status, checked.body.code]).toEqual([body, key, 400, 'invalid_payload']);
        }
      }
      expect(svc.logs.filter((l) => l.includes('"level":"error"')).length).toBe(errorsBefore);
    });

    it('private mode: after completion the token cannot start again; completion is recorded once', async () => {
      const s = await start({ pid: 'private', token: 'private-token-1' });
      expect(s.status).toBe(200);
      expect((await start({ pid: 'private', token: 'private-token-1' })).status).toBe(200); // not completed yet
      // A session id in capitals is the same session (the key check and the completion agree on it).
      expect(await complete(String(s.body.sessionId).toUpperCase(), 'approved')).toEqual({
        status: 200,
        body: { sessionId: s.body.sessionId, result: 'approved' },
      });
      const again = await complete(s.body.sessionId, 'rejected');
      expect([again.status, again.body.code]).toEqual([409, 'session_completed']);
      expect((await start({ pid: 'private', token: 'private-token-1' })).body).toMatchObject({
        admitted: false,
        code: 'token_completed',
      });
      const unknown = await complete('00000000-0000-4000-8000-000000000000', 'approved');
      expect([unknown.status, unknown.body.code]).toEqual([401, 'invalid_api_key']); // as a wrong key: no probing
    });

    it('a token that is not pre-registered works for 3 minutes after its first use (injected clock)', async () => {
      clock = T0;
      expect((await start({ pid: 'open', token: 'walk-in-1' })).body).toMatchObject({
        admitted: true,
        expiresAt: new Date(T0.getTime() + 180_000).toISOString(),
      });
      advance(179);
      expect((await start({ pid: 'open', token: 'walk-in-1' })).body).toMatchObject({ admitted: true });
      advance(1);
      expect((await check({ pid: 'open', token: 'walk-in-1' })).body).toMatchObject({
        admitted: false,
        code: 'token_expired',
      });
      expect((await start({ pid: 'open', token: 'walk-in-1' })).body).toMatchObject({
        admitted: false,
        code: 'token_expired',
      });
      expect((await start({ pid: 'open' })).body).toMatchObject({ admitted: true }); // no token: nothing to limit
    });

    it('a token that is not pre-registered is refused once a final submission exists, even inside its 3 minutes', async () => {
      clock = T0;
      const s = await start({ pid: 'open', token: 'walk-in-2' });
      expect((await complete(s.body.sessionId, 'pending', 'open')).status).toBe(200);
      expect((await start({ pid: 'open', token: 'walk-in-2' })).body).toMatchObject({
        admitted: false,
        code: 'token_completed',
      });
    });

    it('check answers as start would and changes nothing', async () => {
      await registerTokens(fresh.database.db, 'count', ['dry-token-1']);
      const snapshot = async () =>
        (
          await sql<Record<string, unknown>>`
        select (select count(*)::int from liveform_sessions) as sessions, (select count(*)::int from token_events) as events,
               (select count(*)::int from token_uses) as uses,
               (select json_agg(t order by token_id)::text from tokens t) as tokens`.execute(fresh.database.db)
        ).rows[0];
      const before = await snapshot();
      for (const body of [
        { pid: 'count', token: 'dry-token-1' },
        { pid: 'open', token: 'walk-in-3' },
        { pid: 'open' },
        { pid: 'count', token: 'race-token-1' },
      ]) {
        const c = await check(body);
        expect(c.body.dryRun ?? false).toBe(c.status === 200);
        expect(c.body.sessionId).toBeUndefined();
      }
      expect((await check({ pid: 'count', token: 'dry-token-1' })).body).toMatchObject({
        admitted: true,
        dryRun: true,
      });
      expect(await snapshot()).toEqual(before);
      expect((await start({ pid: 'count', token: 'dry-token-1' })).body).toMatchObject({ admitted: true });
    });

    it('/metrics counts admissions by decision', async () => {
      const text = await fetch(`${svc.base}/metrics`).then((r) => r.text());
      expect(text).toMatch(/argos_admissions_total\{decision="admitted"\} \d+/);
      expect(text).toMatch(/argos_admissions_total\{decision="token_expired"\} \d+/);
    });
  });
}
