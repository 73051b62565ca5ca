// The admission core without HTTP: a competing start placed exactly between another start's
// read and its write (deterministic, unlike a race over the network) must not admit twice.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkAdmission, completeSession, decide, startAdmission } from '../../src/tokens/admission.js';
import { registerTokens } from '../../src/tokens/token-store.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { tokenProject } from '../helpers/token-fixtures.js';

const T0 = new Date('2026-11-25T10:00:00Z');

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`admission core on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    beforeAll(async () => {
      // A webhook subscribed to token_expired: the event count is the evidence of one expiry.
      await tokenProject(fresh.database.db, 'count', { expiration: 'count', webhook: {} });
      await tokenProject(fresh.database.db, 'private', { privateMode: true });
      await tokenProject(fresh.database.db, 'open', { preRegistration: false });
      await registerTokens(fresh.database.db, 'count', ['race-token-1']);
      await registerTokens(fresh.database.db, 'private', ['private-token-1']);
    });

    it('count-based: a start that read "valid" and lost the race to another start is refused; one event', async () => {
      const db = fresh.database.db;
      let inner: Awaited<ReturnType<typeof startAdmission>> | undefined;
      const outer = await startAdmission(db, { projectId: 'count', tokenId: 'race-token-1' }, T0, {
        betweenReadAndWrite: async () => {
          inner = await startAdmission(db, { projectId: 'count', tokenId: 'race-token-1' }, T0);
        },
      });
      expect(inner).toMatchObject({ admitted: true });
      expect(outer).toMatchObject({ admitted: false, code: 'token_expired' });
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from token_events where payload->>'token_id' = 'race-token-1'`.execute(db);
      expect(rows[0].n).toBe(1);
      const sessions = await sql<{
        n: number;
      }>`select count(*)::int as n from liveform_sessions where token_id = 'race-token-1'`.execute(db);
      expect(sessions.rows[0].n).toBe(1);
    });

    it('private mode: a start that read "not completed" while the session completed is refused', async () => {
      const db = fresh.database.db;
      const first = await startAdmission(db, { projectId: 'private', tokenId: 'private-token-1' }, T0);
      const second = await startAdmission(db, { projectId: 'private', tokenId: 'private-token-1' }, T0, {
        betweenReadAndWrite: async () => {
          await completeSession(db, first.sessionId!, 'approved', T0);
        },
      });
      expect(second).toMatchObject({ admitted: false, code: 'token_completed' });
    });

    it('not pre-registered: two first uses racing agree on one first-use time', async () => {
      const db = fresh.database.db;
      const later = new Date(T0.getTime() + 60_000);
      const outer = await startAdmission(db, { projectId: 'open', tokenId: 'walk-in-1' }, later, {
        betweenReadAndWrite: async () => {
          await startAdmission(db, { projectId: 'open', tokenId: 'walk-in-1' }, T0);
        },
      });
      expect(outer).toMatchObject({ admitted: true, expiresAt: new Date(T0.getTime() + 180_000).toISOString() });
    });

    it('check and decide agree with start, and check writes nothing', async () => {
      const db = fresh.database.db;
      await registerTokens(db, 'count', ['dry-token-1']);
      const before = (await sql`select * from tokens where token_id = 'dry-token-1'`.execute(db)).rows;
      expect(await checkAdmission(db, { projectId: 'count', tokenId: 'dry-token-1' }, T0)).toMatchObject({
        admitted: true,
      });
      expect((await sql`select * from tokens where token_id = 'dry-token-1'`.execute(db)).rows).toEqual(before);
      expect(decide({ projectId: 'x' }, {}, T0)).toMatchObject({ admitted: false, code: 'invalid_project' });
    });
  });
}
