// Every database test runs on each dialect: embedded PGlite, and a real PostgreSQL server.
// The PostgreSQL run creates a fresh database per call, copied from the migrated template made
// once per run (test/helpers/global-setup.ts), and drops it afterwards (the describe-block helpers
// below without waiting; the run's teardown drops any left). In CI
// (CI=true) an unreachable server fails the run; elsewhere it is skipped with a visible notice.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { migrateToLatest, openDatabase, type Database, type OpenOptions } from '../../src/db/connection.js';
import { takeMemoryDatabase } from './pglite-pool.js';

export const PG_ADMIN_URL = process.env.ARGOS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export const postgresAvailable: boolean = await reachable(PG_ADMIN_URL);
if (!postgresAvailable) {
  if (process.env.CI)
    throw new Error(`PostgreSQL at ${PG_ADMIN_URL} is unreachable; CI requires it (.ci/run starts it)`);
  console.warn(
    `\n*** NOTICE: PostgreSQL at ${PG_ADMIN_URL} is unreachable: the PostgreSQL variants of the database tests are SKIPPED. ***\n`,
  );
}

export interface DatabaseTarget {
  name: 'pglite' | 'postgres';
  available: boolean;
  /**
   * A URL to a new database (empty, or already migrated). `drop()` removes it and resolves when it
   * is gone; `release()` starts the same drop without waiting for it.
   */
  fresh(): Promise<FreshDatabase>;
}

export interface FreshDatabase {
  url: string;
  drop(): Promise<void>;
  release(): void;
}

function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * The next database of this worker process, copied from the template while the current test file
 * runs, so a file does not wait for its CREATE DATABASE (half a second or more, most of it the
 * server copying and logging the template's files). It is an untouched copy of the template,
 * handed out once; nothing of one file reaches another through it. The names carry the template's
 * (this run's), so the run's global teardown drops whatever is left (test/helpers/global-setup.ts).
 */
let nextDatabase: Promise<string> | undefined;

function createFromTemplate(): Promise<string> {
  const template = inject('pgTemplate');
  const name = `${template ? `${template}_` : 'argos_test_'}${randomBytes(6).toString('hex')}`;
  return admin(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`).then(() => name);
}

async function takeDatabase(): Promise<string> {
  const taken = nextDatabase ?? createFromTemplate();
  nextDatabase = undefined;
  let name: string;
  try {
    name = await taken;
  } catch {
    name = await createFromTemplate(); // a failed copy in the background: try once more, in the open
  }
  if (inject('pgTemplate')) {
    nextDatabase = createFromTemplate();
    nextDatabase.catch(() => {}); // seen (and retried) by the next takeDatabase
  }
  return name;
}

export const DATABASE_TARGETS: DatabaseTarget[] = [
  {
    name: 'pglite',
    available: true,
    fresh: async () => ({ url: 'memory:', drop: async () => {}, release: () => {} }),
  },
  {
    name: 'postgres',
    available: postgresAvailable,
    fresh: async () => {
      const name = await takeDatabase();
      const drop = () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      return {
        url: withDatabaseName(PG_ADMIN_URL, name),
        drop,
        // DROP DATABASE makes the server write a checkpoint and waits for it; a file that needs the
        // database no more need not wait too. A drop that does not finish (the worker ends first)
        // leaves the database to the run's teardown, which drops every database of the run.
        release: () => {
          drop().catch(() => {});
        },
      };
    },
  },
];

/**
 * A fresh, migrated database for the enclosing describe block: opened before its tests, closed
 * and dropped after them.
 */
export function useFreshDatabase(
  target: DatabaseTarget,
  options: OpenOptions = {},
): { readonly database: Database; readonly url: string } {
  let database: Database | undefined;
  let fresh: FreshDatabase | undefined;
  beforeAll(async () => {
    fresh = await target.fresh();
    // An embedded one comes from the worker's pool (emptied after its last file): starting PGlite is
    // the costliest part of many files.
    database = target.name === 'pglite' ? await takeMemoryDatabase(options) : await openDatabase(fresh.url, options);
    await migrateToLatest(database.db);
  });
  afterAll(async () => {
    await database?.close();
    fresh?.release();
  });
  return {
    get database() {
      return database!;
    },
    get url() {
      return fresh!.url;
    },
  };
}

/**
 * For CLI runs where the dialect is not the point: `env` points ARGOS_DATABASE_URL at a fresh
 * PostgreSQL database from the template for the enclosing describe block (dropped after it), which
 * is much cheaper to open per command than an embedded folder. Without a reachable server (see the
 * notice above) `env` is empty and the commands use the embedded default.
 */
export function useCliDatabase(): { readonly env: NodeJS.ProcessEnv; readonly url: string | undefined } {
  const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;
  let fresh: FreshDatabase | undefined;
  beforeAll(async () => {
    if (postgres.available) fresh = await postgres.fresh();
  });
  afterAll(() => {
    fresh?.release();
  });
  return {
    get env() {
      return fresh ? { ARGOS_DATABASE_URL: fresh.url } : {};
    },
    get url() {
      return fresh?.url;
    },
  };
}

/**
 * For in-process CLI runs on the embedded engine where its folder is not the point: a `memory:NAME`
 * PGlite database held open for the enclosing describe block, so every command run in the test
 * process shares that one instance (src/db/connection.ts) instead of opening a folder again, which
 * costs seconds of CPU per command. Commands treat it as a new database (they check the manifests
 * before opening it and skip no file); the PostgreSQL variant of the same tests covers the skipping.
 */
export function useSharedMemoryDatabase(): { readonly url: string } {
  const url = `memory:test-${randomBytes(6).toString('hex')}`;
  let held: Database | undefined;
  beforeAll(async () => {
    held = await openDatabase(url);
    await migrateToLatest(held.db);
  });
  afterAll(async () => {
    await held?.close();
  });
  return { url };
}

/**
 * Like useCliDatabase, for blocks whose tests each need their own database: every call of the
 * returned function makes a fresh PostgreSQL database from the template (all dropped after the
 * block) and returns its URL; without a reachable server it returns `fallback`, an embedded URL.
 */
export function useFreshDatabaseUrls(fallback = 'pglite:./db'): () => Promise<string> {
  const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;
  const made: FreshDatabase[] = [];
  afterAll(() => {
    for (const m of made.splice(0)) m.release();
  });
  return async () => {
    if (!postgres.available) return fallback;
    const fresh = await postgres.fresh();
    made.push(fresh);
    return fresh.url;
  };
}
