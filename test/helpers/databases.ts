// Every database test runs on each dialect: embedded PGlite, and a real PostgreSQL server.
// The PostgreSQL run creates a fresh database per call, copied from the migrated template made
// once per run (test/helpers/global-setup.ts), and drops it afterwards. In CI
// (CI=true) an unreachable server fails the run; elsewhere it is skipped with a visible notice.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { migrateToLatest, openDatabase, type Database, type OpenOptions } from '../../src/db/connection.js';

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
  /** A URL to a new database (empty, or already migrated); `drop()` removes it. */
  fresh(): Promise<{ url: string; drop(): Promise<void> }>;
}

function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export const DATABASE_TARGETS: DatabaseTarget[] = [
  { name: 'pglite', available: true, fresh: async () => ({ url: 'memory:', drop: async () => {} }) },
  {
    name: 'postgres',
    available: postgresAvailable,
    fresh: async () => {
      const name = `argos_test_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      const template = inject('pgTemplate');
      await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
      await admin.end();
      return {
        url: withDatabaseName(PG_ADMIN_URL, name),
        drop: async () => {
          const c = new pg.Client({ connectionString: PG_ADMIN_URL });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await c.end();
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
  let fresh: { url: string; drop(): Promise<void> } | undefined;
  beforeAll(async () => {
    fresh = await target.fresh();
    database = await openDatabase(fresh.url, options);
    await migrateToLatest(database.db);
  });
  afterAll(async () => {
    await database?.close();
    await fresh?.drop();
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
  let fresh: { url: string; drop(): Promise<void> } | undefined;
  beforeAll(async () => {
    if (postgres.available) fresh = await postgres.fresh();
  });
  afterAll(async () => {
    await fresh?.drop();
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
  const made: { drop(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(made.splice(0).map((m) => m.drop()));
  });
  return async () => {
    if (!postgres.available) return fallback;
    const fresh = await postgres.fresh();
    made.push(fresh);
    return fresh.url;
  };
}
