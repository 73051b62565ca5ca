// Opening and closing the database named by a URL: PostgreSQL, PGlite in a folder, or in memory.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import { UserError } from '../cli/errors.js';
import { migrationProvider } from './migrations.js';
import { PGliteDialect } from './pglite-dialect.js';
import { acquireFolderLock, type FolderLock } from './folder-lock.js';
import type { DatabaseSchema } from './schema.js';

export const DEFAULT_DATABASE_URL = 'pglite:./.argos/db';

export interface Database {
  db: Kysely<DatabaseSchema>;
  kind: 'postgres' | 'pglite';
  /** The URL with any password removed: safe to print. */
  displayUrl: string;
  close(): Promise<void>;
}

export function resolveDatabaseUrl(flag?: string): string {
  return flag || process.env.ARGOS_DATABASE_URL || DEFAULT_DATABASE_URL;
}

export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/, '$1:***@');
}

export interface OpenOptions {
  /** Called once per query sent (benchmarks count queries with it). */
  onQuery?: () => void;
}

async function openPGlite(dataDir: string | undefined, displayUrl: string, options: OpenOptions): Promise<Database> {
  let lock: FolderLock | undefined;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    lock = acquireFolderLock(dataDir);
  }
  try {
    // Each driver is imported when its kind of URL is opened: a PostgreSQL run never loads PGlite.
    const { PGlite } = await import('@electric-sql/pglite');
    const pglite = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
    const db = new Kysely<DatabaseSchema>({ dialect: new PGliteDialect(pglite), log: options.onQuery ? () => options.onQuery!() : undefined });
    return { db, kind: 'pglite', displayUrl, close: async () => { try { await db.destroy(); } finally { lock?.release(); } } };
  } catch (err) {
    lock?.release();
    throw new UserError(`cannot open the embedded database ${displayUrl}: ${(err as Error).message}`);
  }
}

export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  const displayUrl = redactUrl(url);
  if (url === 'memory:') return openPGlite(undefined, displayUrl, options);
  if (url.startsWith('pglite:')) return openPGlite(path.resolve(url.slice('pglite:'.length) || './.argos/db'), displayUrl, options);
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000 });
    // A dropped connection surfaces as an error on the next query; without these listeners pg
    // would crash the process from an 'error' event instead.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    try {
      const client = await pool.connect();
      client.release();
    } catch (err) {
      await pool.end().catch(() => {});
      throw new UserError(`database ${displayUrl} is unreachable: ${(err as Error).message}`);
    }
    const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }), log: options.onQuery ? () => options.onQuery!() : undefined });
    return { db, kind: 'postgres', displayUrl, close: () => db.destroy() };
  }
  throw new UserError(`unsupported database URL "${displayUrl}"`, 'postgres://…, postgresql://…, pglite:PATH or memory:');
}

function migratorFor(db: Kysely<DatabaseSchema>): Migrator {
  return new Migrator({ db, provider: migrationProvider, migrationTableName: 'argosctl_migrations', migrationLockTableName: 'argosctl_migration_lock' });
}

export async function migrateToLatest(db: Kysely<DatabaseSchema>): Promise<string[]> {
  const migrator = migratorFor(db);
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw new UserError(`database migration failed: ${(error as Error).message}`);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** PostgreSQL is migrated on purpose (`argosctl db migrate`); other commands check it was. */
async function assertMigrated(database: Database): Promise<void> {
  const migrator = migratorFor(database.db);
  const pending = (await migrator.getMigrations()).filter((m) => !m.executedAt);
  if (pending.length) {
    throw new UserError(`the database ${database.displayUrl} needs ${pending.length} migration(s): ${pending.map((m) => m.name).join(', ')}`, 'run argosctl db migrate');
  }
}

/** Opens the database, migrates an embedded one, runs `work`, and always closes. */
export async function withDatabase<T>(url: string, work: (database: Database) => Promise<T>, options: { migrate?: 'auto' | 'always' | 'never' } = {}): Promise<T> {
  const database = await openDatabase(url);
  try {
    const mode = options.migrate ?? 'auto';
    if (mode === 'always' || (mode === 'auto' && database.kind === 'pglite')) await migrateToLatest(database.db);
    else if (mode === 'auto') await assertMigrated(database);
    return await work(database);
  } finally {
    await database.close();
  }
}
