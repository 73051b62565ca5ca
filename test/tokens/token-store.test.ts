// The token store's rules, on both dialects.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { maintainEmbedded } from '../../src/db/embedded-maintenance.js';
import type { Database } from '../../src/db/connection.js';
import { tokenIdProblem } from '../../src/tokens/token-id.js';
import {
  countTokens,
  deleteOldestTokens,
  deleteTokens,
  getToken,
  listTokens,
  registerTokens,
} from '../../src/tokens/token-store.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { ids, tokenProject } from '../helpers/token-fixtures.js';

describe('token ID format', () => {
  it.each([
    ['abcdefgh', true],
    ['a'.repeat(64), true],
    ['A1-b_2.c3', true],
    ['abcdefg', false],
    ['a'.repeat(65), false],
    ['-abcdefgh', false],
    ['abcdefgh.', false],
    ['abcd efgh', false],
    ['abcdéfgh', false],
    ['abc/defgh', false],
  ])('%s is %s', (id, ok) => expect(tokenIdProblem(id) === undefined).toBe(ok));
});

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`token store on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    let database: Database;
    beforeAll(async () => {
      database = fresh.database;
      await tokenProject(database.db, 'tok');
      await tokenProject(database.db, 'plain', { preRegistration: false });
    });

    it('refuses a project without pre-registration, and an unknown project', async () => {
      await expect(registerTokens(database.db, 'plain', ['abcdefgh'])).rejects.toThrow(
        /\[invalid_project\].*does not use token pre-registration/,
      );
      await expect(registerTokens(database.db, 'nope', ['abcdefgh'])).rejects.toThrow(
        /\[invalid_project\].*does not exist/,
      );
    });

    it('refuses a batch with one bad ID whole', async () => {
      await expect(registerTokens(database.db, 'tok', ['good-id-1', 'bad id'])).rejects.toThrow(
        /invalid_token_id_format/,
      );
      expect((await countTokens(database.db, 'tok')).registered).toBe(0);
    });

    it('re-registering an ID overwrites it (resets its use) instead of failing', async () => {
      await registerTokens(database.db, 'tok', ['reuse-me-1']);
      await sql`update tokens set first_used_at = now(), expired_at = now() where token_id = 'reuse-me-1'`.execute(
        database.db,
      );
      const r = await registerTokens(database.db, 'tok', ['reuse-me-1', 'reuse-me-1']);
      expect(r).toMatchObject({ added: 0, overwritten: 1, registered: 1 });
      expect(await getToken(database.db, 'tok', 'reuse-me-1')).toMatchObject({ expired: false, firstUsedAt: null });
    });

    it('refuses a registration that would pass 100,000 whole, with request_token_limit_exceeded', async () => {
      await registerTokens(database.db, 'tok', ids('cap', 99_998));
      await expect(registerTokens(database.db, 'tok', ids('over', 3))).rejects.toThrow(
        /\[request_token_limit_exceeded\]/,
      );
      expect((await countTokens(database.db, 'tok')).registered).toBe(99_999);
      await registerTokens(database.db, 'tok', ids('over', 1));
      expect((await countTokens(database.db, 'tok')).registered).toBe(100_000);
      await registerTokens(database.db, 'tok', ids('cap', 5)); // overwriting at the cap is fine
    });

    it('lists with keyset paging: every token exactly once, in registration order', async () => {
      // As the close of the command that registered them (or serve's minute) would on the embedded one.
      if (target.name === 'pglite') await maintainEmbedded(database.db);
      const seen = new Set<string>();
      let after: string | undefined;
      let pages = 0;
      do {
        const page = await listTokens(database.db, 'tok', { after, limit: 10_000 });
        for (const t of page.tokens) seen.add(t.tokenId);
        after = page.next;
        pages++;
      } while (after);
      expect(seen.size).toBe(100_000);
      expect(pages).toBe(10);
    });

    it("pages of sizes on each side of the statement's written-out bounds hold exactly that many, in order, without gaps", async () => {
      await tokenProject(database.db, 'pages');
      await registerTokens(database.db, 'pages', ids('pg', 1_200));
      const all = (await listTokens(database.db, 'pages', { limit: 10_000 })).tokens.map((t) => t.tokenId);
      expect(all).toHaveLength(1_200);
      for (const limit of [1, 10, 11, 20, 50, 99, 100, 101, 150, 500, 1_000, 1_001]) {
        const first = await listTokens(database.db, 'pages', { limit });
        expect(first.tokens.map((t) => t.tokenId)).toEqual(all.slice(0, limit));
        const second = await listTokens(database.db, 'pages', { limit, after: first.next });
        expect(second.tokens.map((t) => t.tokenId)).toEqual(all.slice(limit, 2 * limit));
        expect(second.next === undefined).toBe(2 * limit >= 1_200);
      }
    });

    it('deletes one ID alone; one unregistered or malformed ID is token_not_found and deletes nothing', async () => {
      await tokenProject(database.db, 'one');
      await registerTokens(database.db, 'one', ids('one', 3));
      await expect(deleteTokens(database.db, 'one', ['one-99999999'])).rejects.toThrow(/token_not_found.*one-99999999/);
      await expect(deleteTokens(database.db, 'one', ['bad id!'])).rejects.toThrow(/token_not_found/);
      expect(await deleteTokens(database.db, 'one', ['one-00000001'])).toBe(1);
      expect(await deleteTokens(database.db, 'one', ['one-00000000', 'one-00000000'])).toBe(1);
      await expect(deleteTokens(database.db, 'one', ['one-00000002', 'bad id!'])).rejects.toThrow(/token_not_found/);
      expect((await countTokens(database.db, 'one')).registered).toBe(1);
      expect((await listTokens(database.db, 'one')).tokens.map((t) => t.tokenId)).toEqual(['one-00000002']);
    });

    it('deletes by ID (all or nothing) and the oldest N, keeping the count right', async () => {
      await expect(deleteTokens(database.db, 'tok', ['cap-00000000', 'missing-1'])).rejects.toThrow(/token_not_found/);
      expect(await deleteTokens(database.db, 'tok', ['cap-00000000', 'cap-00000001'])).toBe(2);
      expect(await deleteOldestTokens(database.db, 'tok', 10)).toBe(10);
      expect((await countTokens(database.db, 'tok')).registered).toBe(100_000 - 12);
      await expect(getToken(database.db, 'tok', 'cap-00000000')).rejects.toThrow(/token_id_not_found/);
      const { rows } = await sql<{
        n: number;
      }>`select registered as n from token_counts where project_id = 'tok'`.execute(database.db);
      expect(rows[0].n).toBe(100_000 - 12);
    });
  });
}
