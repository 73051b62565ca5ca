// Once per test run: a migrated PostgreSQL template database, so each test database is a cheap
// CREATE DATABASE … TEMPLATE instead of a create and a migration; dropped when the run ends.
// (Embedded databases start from the PGlite template built with the package, dist/pglite-template.tar.gz.)
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrateToLatest, openDatabase } from '../../src/db/connection.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated template database's name, or '' when PostgreSQL is unreachable. */
    pgTemplate: string;
  }
}

const ADMIN_URL = process.env.ARGOS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(statement: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query(statement);
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const name = `argos_tmpl_${randomBytes(6).toString('hex')}`;
  project.provide('pgTemplate', '');
  // Unreachable: test/helpers/databases.ts reports it (and fails the run in CI).
  if (!(await admin(`CREATE DATABASE ${name}`))) return async () => {};
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase(url.toString());
  try {
    await migrateToLatest(database.db);
  } finally {
    await database.close(); // no session may stay on a template while it is copied
  }
  project.provide('pgTemplate', name);
  return async () => {
    // The template first: DROP DATABASE waits for a copy from it still under way (a worker's next
    // database, test/helpers/databases.ts) and none can start after it. Then the run's test
    // databases, named after the template: any a worker left (a copy made ahead and not used, a
    // drop started in the background that the worker's end cut short).
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    const client = new pg.Client({ connectionString: ADMIN_URL });
    try {
      await client.connect();
      const { rows } = await client.query<{ datname: string }>(
        'select datname from pg_database where starts_with(datname, $1)',
        [`${name}_`],
      );
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    } catch {
      // as admin(): teardown must not fail the run; a database left is visible by its name
    } finally {
      await client.end().catch(() => {});
    }
  };
}
