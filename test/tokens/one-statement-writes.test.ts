// Completing a session and deleting tokens by ID are each one statement (no transaction around
// several): racing requests must still complete a session once and delete a token once, with the
// counter lowered once, and a request naming a missing ID must delete nothing. Hostile IDs (array
// syntax, quotes) are simply not found.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { completeSession, startAdmission } from '../../src/tokens/admission.js';
import { countTokens, deleteTokens, registerTokens } from '../../src/tokens/token-store.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { ids, tokenProject } from '../helpers/token-fixtures.js';

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`one-statement writes on ${target.name}`, () => {
    const fresh = useFreshDatabase(target, { poolSize: 8 });

    it('8 racing completions of one session: one succeeds, 7 are session_completed; the token is completed once', async () => {
      const db = fresh.database.db;
      await tokenProject(db, 'fin', { privateMode: true });
      await registerTokens(db, 'fin', ids('fin', 3));
      const start = await startAdmission(db, { projectId: 'fin', tokenId: ids('fin', 1)[0] });
      const sessionId = start.sessionId!;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, () => completeSession(db, sessionId, 'approved')),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(String(o.reason)).toMatch(/\[session_completed\]/);
      const { rows } = await sql<{ completed: number }>`
        select count(*)::int as completed from tokens where project_id = 'fin' and completed_at is not null`.execute(
        db,
      );
      expect(rows[0].completed).toBe(1);
      await expect(completeSession(db, sessionId, 'approved', new Date(), { projectId: 'other' })).rejects.toThrow(
        /\[session_not_found\]/,
      );
      await expect(completeSession(db, '00000000-0000-4000-8000-000000000000', 'approved')).rejects.toThrow(
        /\[session_not_found\]/,
      );
    });

    it('8 racing deletes of one ID: one deletes it, 7 are token_not_found; the counter drops by one', async () => {
      const db = fresh.database.db;
      await tokenProject(db, 'del');
      await registerTokens(db, 'del', ids('del', 20));
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, () => deleteTokens(db, 'del', [ids('del', 1)[0], ids('del', 1, 10)[0]])),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(String(o.reason)).toMatch(/\[token_not_found\]/);
      expect((await countTokens(db, 'del')).registered).toBe(18);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from tokens where project_id = 'del'`.execute(
        db,
      );
      expect(rows[0].n).toBe(18);
    });

    it('a missing or hostile ID among present ones deletes nothing and is named', async () => {
      const db = fresh.database.db;
      await tokenProject(db, 'hostile');
      await registerTokens(db, 'hostile', ids('hst', 5));
      for (const bad of ['hst-00000001,hst-00000002', '"}', "x' or '1'='1", '{hst-00000003}', 'absent-token-1']) {
        await expect(deleteTokens(db, 'hostile', [ids('hst', 1)[0], bad])).rejects.toThrow(/\[token_not_found\]/);
      }
      expect((await countTokens(db, 'hostile')).registered).toBe(5);
      expect(await deleteTokens(db, 'hostile', ids('hst', 2))).toBe(2);
      expect((await countTokens(db, 'hostile')).registered).toBe(3);
      await expect(deleteTokens(db, 'no-such-project', ids('hst', 1))).rejects.toThrow(/\[invalid_project\]/);
    });
  });
}
