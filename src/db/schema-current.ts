// Whether a database already holds every migration, in one query. Opening an embedded database
// migrates it, and other commands check PostgreSQL was migrated: kysely's Migrator does that in
// several statements (table checks, a lock, a transaction) on every start. When this query
// says the schema is current, those are skipped; otherwise the Migrator runs as before.
import { sql, type Kysely } from 'kysely';
import { MIGRATIONS } from './migrations.js';
import type { DatabaseSchema } from './schema.js';

/** The table kysely's Migrator records applied migrations in (connection.ts names it). */
export const MIGRATION_TABLE = 'argosctl_migrations';

/** True when the applied migrations are exactly this build's; false when any is missing or unknown. */
export async function schemaIsCurrent(db: Kysely<DatabaseSchema>): Promise<boolean> {
  try {
    const { rows } = await sql<{ names: string[] | null }>`
      select array_agg(name order by name) as names from ${sql.table(MIGRATION_TABLE)}`.execute(db);
    const applied = rows[0]?.names ?? [];
    const known = Object.keys(MIGRATIONS).sort();
    return applied.length === known.length && applied.every((name, i) => name === known[i]);
  } catch {
    return false; // no migration table yet: a new database, the Migrator creates it
  }
}
