// Token use at "Start Authentication": refusals, count- and time-based expiry, private mode,
// and the token_expired outbox event.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { registerTokens } from '../../src/tokens/token-store.js';
import { completeToken, startToken } from '../../src/tokens/token-use.js';
import { prunePass } from '../../src/tokens/prune.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { expiryEvents, tokenProject } from '../helpers/token-fixtures.js';

const T0 = new Date('2026-11-25T10:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`token use on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    let database: Database;
    const events = (project: string) => expiryEvents(database.db, project);

    beforeAll(async () => {
      database = fresh.database;
      // Webhooks subscribed to token_expired: their events are the evidence of each expiry.
      await tokenProject(database.db, 'count', { expiration: 'count', webhook: {} });
      await tokenProject(database.db, 'timed', { expiration: 'time', seconds: 600, webhook: {} });
      await tokenProject(database.db, 'private', { privateMode: true });
      await tokenProject(database.db, 'open', { preRegistration: false });
      await registerTokens(database.db, 'count', ['count-token-1']);
      await registerTokens(database.db, 'timed', ['timed-token-1']);
      await registerTokens(database.db, 'private', ['private-token-1']);
    });

    it('refuses unknown and deleted tokens', async () => {
      await expect(startToken(database.db, 'count', 'never-registered')).rejects.toThrow(/\[token_not_found\]/);
    });

    it('accepts any token when the project does not use pre-registration', async () => {
      expect(await startToken(database.db, 'open', 'whatever-1')).toMatchObject({ preRegistered: false });
    });

    it('count-based: expires at the first start, with a token_expired event; the second start is refused', async () => {
      expect(await startToken(database.db, 'count', 'count-token-1', T0)).toMatchObject({
        expiresAt: T0.toISOString(),
      });
      await expect(startToken(database.db, 'count', 'count-token-1', at(1))).rejects.toThrow(/\[token_expired\]/);
      expect(await events('count')).toEqual([
        {
          webhook_trigger: 'token_expired',
          token_id: 'count-token-1',
          expired_condition: 'count',
          expired_at: T0.toISOString(),
        },
      ]);
    });

    it('time-based: the window opens at first use, the token works inside it, and is refused after', async () => {
      expect(await startToken(database.db, 'timed', 'timed-token-1', T0)).toMatchObject({
        expiresAt: at(600).toISOString(),
      });
      expect(await startToken(database.db, 'timed', 'timed-token-1', at(599))).toMatchObject({
        expiresAt: at(600).toISOString(),
      });
      await expect(startToken(database.db, 'timed', 'timed-token-1', at(601))).rejects.toThrow(/\[token_expired\]/);
      await expect(startToken(database.db, 'timed', 'timed-token-1', at(700))).rejects.toThrow(/\[token_expired\]/);
      expect(await events('timed')).toEqual([
        {
          webhook_trigger: 'token_expired',
          token_id: 'timed-token-1',
          expired_condition: 'time',
          expected_expired_at: at(600).toISOString(),
        },
      ]);
    });

    it('a pass marks windows that ran out, once, with one event each', async () => {
      await registerTokens(database.db, 'timed', ['timed-token-2', 'timed-token-3']);
      await startToken(database.db, 'timed', 'timed-token-2', T0);
      await startToken(database.db, 'timed', 'timed-token-3', at(500));
      const [first] = await prunePass(database.db, { projects: ['timed'], now: at(1000) });
      expect(first.expiredMarked).toBe(1);
      const [second] = await prunePass(database.db, { projects: ['timed'], now: at(1000) });
      expect(second.expiredMarked).toBe(0);
      expect((await events('timed')).map((e) => e.token_id)).toEqual(['timed-token-1', 'timed-token-2']);
    });

    it('private mode: a token whose authentication completed cannot start again', async () => {
      await startToken(database.db, 'private', 'private-token-1');
      await startToken(database.db, 'private', 'private-token-1'); // not completed yet: still usable
      await completeToken(database.db, 'private', 'private-token-1');
      await expect(startToken(database.db, 'private', 'private-token-1')).rejects.toThrow(/\[token_completed\]/);
    });
  });
}
