// Admission with known project facts (what `serve` keeps): one statement for the common case,
// and never a stale answer: the statement re-checks the facts, so emergency stop and CLOSE refuse
// the very next start, and a token that is not fresh gets the answer its real state gives.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProjectFactsCache, startAdmission } from '../../src/tokens/admission.js';
import { registerTokens } from '../../src/tokens/token-store.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { tokenProject } from '../helpers/token-fixtures.js';

const T0 = new Date('2026-11-25T10:00:00Z');
const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`admission with known project facts on ${target.name}`, () => {
    let statements = 0;
    const fresh = useFreshDatabase(target, {
      onQuery: () => {
        statements++;
      },
      namedStatements: true,
    });
    const projects = new ProjectFactsCache();
    const start = (projectId: string, tokenId?: string, now = T0) =>
      startAdmission(fresh.database.db, { projectId, tokenId }, now, { projects });
    const count = async (query: string) =>
      (await sql<{ n: number }>`select count(*)::int as n from ${sql.raw(query)}`.execute(fresh.database.db)).rows[0].n;
    const counted = async <T>(work: () => Promise<T>): Promise<{ result: T; statements: number }> => {
      const before = statements;
      const result = await work();
      return { result, statements: statements - before };
    };
    const setProject = (id: string, change: Record<string, string>) =>
      fresh.database.db
        .updateTable('projects')
        .set(change as never)
        .where('id', '=', id)
        .execute();

    beforeAll(async () => {
      const db = fresh.database.db;
      // A webhook subscribed to token_expired: the events counted below are the evidence of each expiry.
      await tokenProject(db, 'count', { expiration: 'count', webhook: {} });
      await tokenProject(db, 'timed', { expiration: 'time', seconds: 600 });
      await tokenProject(db, 'open', { preRegistration: false });
      await registerTokens(db, 'count', ['count-token-1', 'count-token-2', 'count-token-3', 'count-race-1']);
      await registerTokens(db, 'timed', ['timed-token-1', 'timed-token-2']);
    });

    it('the first start reads the facts (two statements); the next fresh token takes one', async () => {
      expect(await counted(() => start('count', 'count-token-1'))).toMatchObject({
        result: { admitted: true },
        statements: 2,
      });
      expect(await counted(() => start('count', 'count-token-2'))).toMatchObject({
        result: { admitted: true, expiresAt: T0.toISOString() },
        statements: 1,
      });
      expect(await count(`token_events where payload->>'token_id' = 'count-token-2'`)).toBe(1);
    });

    it('emergency stop and CLOSE made after the facts were kept refuse the next start; it writes nothing', async () => {
      await setProject('count', { submissions: 'emergency-stop' });
      expect(await start('count', 'count-token-3')).toMatchObject({ admitted: false, code: 'emergency_stop' });
      await setProject('count', { submissions: 'normal', status: 'CLOSE' });
      expect(await start('count', 'count-token-3')).toMatchObject({ admitted: false, code: 'project_closed' });
      expect(await count(`tokens where token_id = 'count-token-3' and first_used_at is null`)).toBe(1);
      expect(await count(`liveform_sessions where token_id = 'count-token-3'`)).toBe(0);
      await setProject('count', { status: 'TEST' });
      expect(await start('count', 'count-token-3')).toMatchObject({ admitted: true });
    });

    it('a used count-based token is refused; a time-based token used before keeps its window', async () => {
      expect(await start('count', 'count-token-1')).toMatchObject({ admitted: false, code: 'token_expired' });
      expect(await start('timed', 'timed-token-1')).toMatchObject({
        admitted: true,
        expiresAt: later(600).toISOString(),
      });
      const again = await counted(() => start('timed', 'timed-token-1', later(100)));
      expect(again.result).toMatchObject({ admitted: true, expiresAt: later(600).toISOString() });
      expect(again.statements).toBe(3); // the one-statement try (the token is not fresh), then read and write
    });

    it('a token that is not pre-registered keeps the window of its first use', async () => {
      expect(await start('open', 'walk-in-1')).toMatchObject({ admitted: true, expiresAt: later(180).toISOString() });
      expect(await start('open', 'walk-in-1', later(60))).toMatchObject({
        admitted: true,
        expiresAt: later(180).toISOString(),
      });
      expect(await start('open', 'walk-in-1', later(180))).toMatchObject({ admitted: false, code: 'token_expired' });
      expect(await counted(() => start('open', undefined))).toMatchObject({
        result: { admitted: true, tokenId: null },
        statements: 1,
      });
    });

    it('16 starts racing on one count-based token with the facts known: one admitted, one event', async () => {
      const outcomes = await Promise.all(Array.from({ length: 16 }, () => start('count', 'count-race-1')));
      expect(outcomes.filter((o) => o.admitted)).toHaveLength(1);
      expect(outcomes.filter((o) => !o.admitted && o.code === 'token_expired')).toHaveLength(15);
      expect(await count(`token_events where payload->>'token_id' = 'count-race-1'`)).toBe(1);
    });
  });
}
