// The one-query check that lets opening a database skip kysely's Migrator (src/db/schema-current.ts):
// true only when the recorded migrations are exactly this build's, on PGlite and PostgreSQL.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest, pendingMigrations } from '../../src/db/connection.js';
import { MIGRATIONS } from '../../src/db/migrations.js';
import { MIGRATION_TABLE, schemaIsCurrent } from '../../src/db/schema-current.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';

const names = Object.keys(MIGRATIONS);
const last = names[names.length - 1];

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`the schema check on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    const db = () => fresh.database.db;
    const table = sql.table(MIGRATION_TABLE);

    it('says current on a migrated database, where migrating and checking then run nothing', async () => {
      expect(await schemaIsCurrent(db())).toBe(true);
      expect(await pendingMigrations(db())).toEqual([]);
      expect(await migrateToLatest(db())).toEqual([]);
    });

    it('says not current when a migration is not recorded, and the full check then names it', async () => {
      const { rows } = await sql<{ timestamp: string }>`select timestamp from ${table} where name = ${last}`.execute(
        db(),
      );
      await sql`delete from ${table} where name = ${last}`.execute(db());
      try {
        expect(await schemaIsCurrent(db())).toBe(false);
        expect(await pendingMigrations(db())).toEqual([last]);
      } finally {
        await sql`insert into ${table} (name, timestamp) values (${last}, ${rows[0].timestamp})`.execute(db());
      }
      expect(await schemaIsCurrent(db())).toBe(true);
    });

    it.each([
      ['a migration of a newer build', '999_from_a_newer_build'],
      ['a hostile name', "015'); drop table projects; --"],
      ['a name that sorts between ours', `${names[0]}_`],
    ])('says not current when the table also records %s', async (_, extra) => {
      await sql`insert into ${table} (name, timestamp) values (${extra}, ${new Date().toISOString()})`.execute(db());
      try {
        expect(await schemaIsCurrent(db())).toBe(false);
      } finally {
        await sql`delete from ${table} where name = ${extra}`.execute(db());
      }
      expect(await schemaIsCurrent(db())).toBe(true);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from projects`.execute(db());
      expect(rows[0].n).toBe(0); // the projects table is still there
    });

    it('says not current, without throwing, when there is no migration table', async () => {
      await sql`alter table ${table} rename to argosctl_migrations_away`.execute(db());
      try {
        expect(await schemaIsCurrent(db())).toBe(false);
      } finally {
        await sql`alter table argosctl_migrations_away rename to ${table}`.execute(db());
      }
      expect(await schemaIsCurrent(db())).toBe(true);
    });
  });
}
