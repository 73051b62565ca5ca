// A PostgreSQL database of its own, migrated only up to `migration`, for a test of what a later
// migration does to rows written before it (then `migrateToLatest` inside `run`). Dropped after.
import { Migrator } from 'kysely';
import pg from 'pg';
import { expect } from 'vitest';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { migrationProvider } from '../../src/db/migrations.js';
import { PG_ADMIN_URL } from './databases.js';

export async function withDatabaseMigratedTo(
  migration: string,
  run: (database: Database) => Promise<void>,
): Promise<void> {
  const name = `argos_m_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase(url.toString());
  try {
    const migrator = new Migrator({
      db: database.db,
      provider: migrationProvider,
      migrationTableName: 'argosctl_migrations',
      migrationLockTableName: 'argosctl_migration_lock',
    });
    expect((await migrator.migrateTo(migration)).error).toBeUndefined();
    await run(database);
  } finally {
    await database.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
