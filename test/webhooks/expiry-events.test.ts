// Which expiries write a token_expired event: only those of a project whose webhook, at the moment
// of the expiry, is subscribed to token_expired (the condition the delivery claim applies). Each
// writer is covered: the count-based expiry of an admission, the time-based mark of a refused
// start, and the worker's sweep and prune (writeExpiredEvents). The expiry itself happens either way.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { expireDueTokens } from '../../src/tokens/expire-due.js';
import { prunePass } from '../../src/tokens/prune.js';
import { registerTokens } from '../../src/tokens/token-store.js';
import { startToken } from '../../src/tokens/token-use.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { expiryEvents, tokenProject, type TokenPolicy } from '../helpers/token-fixtures.js';

const T0 = new Date('2026-11-25T10:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** none: no webhook; hooked: a webhook subscribed to token_expired; other: a webhook without it. */
const KINDS: Record<string, TokenPolicy['webhook']> = {
  none: undefined,
  hooked: {},
  other: { events: ['token_completed'] },
};

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`token_expired events by webhook subscription on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    let database: Database;
    const events = (project: string) => expiryEvents(database.db, project);
    const expired = async (project: string) =>
      (
        await sql<{
          token_id: string;
        }>`select token_id from tokens where project_id = ${project} and expired_at is not null order by token_id`.execute(
          database.db,
        )
      ).rows.map((r) => r.token_id);

    beforeAll(async () => {
      database = fresh.database;
      for (const [kind, webhook] of Object.entries(KINDS)) {
        await tokenProject(database.db, `${kind}-count`, {
          expiration: 'count',
          webhook,
        });
        await tokenProject(database.db, `${kind}-time`, {
          expiration: 'time',
          seconds: 600,
          webhook,
        });
        await registerTokens(database.db, `${kind}-count`, [`${kind}-token-c1`]);
        await registerTokens(database.db, `${kind}-time`, [`${kind}-token-t1`, `${kind}-token-t2`, `${kind}-token-t3`]);
      }
      for (const kind of Object.keys(KINDS)) {
        // Count-based: spent by its first start.
        expect(await startToken(database.db, `${kind}-count`, `${kind}-token-c1`, T0)).toMatchObject({
          expiresAt: T0.toISOString(),
        });
        await expect(startToken(database.db, `${kind}-count`, `${kind}-token-c1`, at(1))).rejects.toThrow(
          /\[token_expired\]/,
        );
        // Time-based (windows of 600 s): t1 is marked by a start refused after its window, t2 by the
        // worker's sweep, t3 (whose window ends later) by prune.
        await startToken(database.db, `${kind}-time`, `${kind}-token-t1`, T0);
        await startToken(database.db, `${kind}-time`, `${kind}-token-t2`, T0);
        await startToken(database.db, `${kind}-time`, `${kind}-token-t3`, at(300));
        await expect(startToken(database.db, `${kind}-time`, `${kind}-token-t1`, at(601))).rejects.toThrow(
          /\[token_expired\]/,
        );
      }
      expect(await expireDueTokens(database.db, at(700))).toEqual({
        projects: 3,
        expired: 3,
      });
      const pruned = await prunePass(database.db, {
        projects: Object.keys(KINDS).map((k) => `${k}-time`),
        now: at(1000),
      });
      expect(pruned.map((r) => r.expiredMarked)).toEqual([1, 1, 1]);
    });

    it('every expiry happened, whatever the webhook', async () => {
      for (const kind of Object.keys(KINDS)) {
        expect(await expired(`${kind}-count`)).toEqual([`${kind}-token-c1`]);
        expect(await expired(`${kind}-time`)).toEqual(['t1', 't2', 't3'].map((t) => `${kind}-token-${t}`));
      }
    });

    it('a project without a webhook writes no event, for a count-based or a time-based expiry', async () => {
      expect(await events('none-count')).toEqual([]);
      expect(await events('none-time')).toEqual([]);
    });

    it('a project whose webhook is not subscribed to token_expired writes none', async () => {
      expect(await events('other-count')).toEqual([]);
      expect(await events('other-time')).toEqual([]);
    });

    it('a project whose webhook is subscribed writes exactly one event per expiry', async () => {
      expect(await events('hooked-count')).toEqual([
        {
          webhook_trigger: 'token_expired',
          token_id: 'hooked-token-c1',
          expired_condition: 'count',
          expired_at: T0.toISOString(),
        },
      ]);
      expect(await events('hooked-time')).toEqual(
        [
          ['hooked-token-t1', at(600)],
          ['hooked-token-t2', at(600)],
          ['hooked-token-t3', at(900)],
        ].map(([token_id, moment]) => ({
          webhook_trigger: 'token_expired',
          token_id,
          expired_condition: 'time',
          expected_expired_at: (moment as Date).toISOString(),
        })),
      );
    });

    it('a webhook declared after the expiries receives none of them', async () => {
      await sql`update projects set webhook_url = 'http://127.0.0.1:9/late', webhook_events = '["token_expired"]'::jsonb,
                  webhook_secret_rotation = 1 where id in ('none-count', 'none-time')`.execute(database.db);
      expect(await events('none-count')).toEqual([]);
      expect(await events('none-time')).toEqual([]);
      // ... and the next expiry of such a project writes its event.
      await registerTokens(database.db, 'none-count', ['none-token-c2']);
      await startToken(database.db, 'none-count', 'none-token-c2', at(2000));
      expect((await events('none-count')).map((e) => e.token_id)).toEqual(['none-token-c2']);
    });
  });
}
