// Opening and closing the database named by a URL: PostgreSQL, PGlite in a folder, or in memory.
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import { UserError } from '../errors.js';
import { migrationProvider } from './migrations.js';
import { MIGRATION_TABLE, schemaIsCurrent } from './schema-current.js';
import { withNamedStatements } from './named-statements.js';
import { PGliteDialect } from './pglite-dialect.js';
import { parseDatabaseUrl, scrubSecrets, type DatabaseUrl } from './database-url.js';
import { checkSslFileParams } from './ssl-file-params.js';
import { muteDriverWarnings } from './driver-warnings.js';
import { pgliteArtifacts } from './pglite-artifacts.js';
import { pgliteTemplateOptions, usableTemplate } from './pglite-template.js';
import { writeTemplateFolder } from './template-folder.js';
import { pgliteStartParams } from './pglite-start-params.js';
import { acquireFolderLock, LOCK_FILE_NAME, type FolderLock } from './folder-lock.js';
import { maintainEmbedded, MAINTENANCE_INTERVAL_MS } from './embedded-maintenance.js';
import { holdsNoDatabase, isNewFolder, makePrivateFolder, refuseLinksBelow } from './embedded-folder.js';
import { pgliteErrnoText } from './pglite-errno.js';
import { escapeText } from '../manifest/excerpt.js';
import type { DatabaseSchema } from './schema.js';

/** The embedded default, relative to the folder of the found argosctl.yaml (or the git root, or the cwd). */
export { DEFAULT_DATABASE_URL } from './database-url.js';

export interface Database {
  db: Kysely<DatabaseSchema>;
  kind: 'postgres' | 'pglite';
  /** The URL without user, password or secret query values: safe to print. */
  displayUrl: string;
  close(): Promise<void>;
}

/**
 * The database a command was given. The CLI resolves flag, environment, argosctl.yaml and default
 * before the command runs (src/cli/state-options.ts) and hands the result in as the flag's value.
 */
export function resolveDatabaseUrl(resolved?: string): string {
  if (!resolved) throw new Error('the database URL was not resolved: the command needs the --database-url option');
  return resolved;
}

export interface OpenOptions {
  /** Called once per query sent, with its text and parameters (benchmarks count them; plan tests EXPLAIN them). */
  onQuery?: (query: { sql: string; parameters: readonly unknown[] }) => void;
  /** PostgreSQL connections in the pool (default 4; `serve` takes more). */
  poolSize?: number;
  /** Where a one-line note about hidden driver warnings goes (default: stderr). */
  onNote?: (text: string) => void;
  /**
   * PostgreSQL only: send statements as named (prepared) statements, planned once per connection
   * (`serve` does; see named-statements.ts). Off for the CLI: a transaction-mode connection pooler
   * before PgBouncer 1.21 cannot carry them, and one-shot commands gain little.
   */
  namedStatements?: boolean;
  /**
   * A service that runs for hours (serve, worker, dashboard): the embedded database's WebAssembly
   * is compiled to be fast over hours, not to start fast (pglite-artifacts.ts).
   */
  longRunning?: boolean;
  /** How often a long-running embedded database is looked at for analysis (embedded-maintenance.ts); tests shorten it. */
  maintenanceEveryMs?: number;
}

/** How long a close waits for the embedded database's look (embedded-maintenance.ts), checked between statements: PGlite runs on this thread, so a statement under way ends first. */
const CLOSE_LOOK_MS = 5_000;

function within(work: Promise<unknown>, ms: number): Promise<unknown> {
  return Promise.race([work, new Promise((resolve) => setTimeout(resolve, ms).unref())]);
}

/**
 * A new folder gets the template's files from Node (template-folder.ts, which checks again, under the
 * lock, that the folder holds nothing but it). Any other folder without a database (a first start
 * cut short, files from elsewhere) is left to PGlite as before, so no link planted inside can take a
 * write elsewhere.
 */
function writeNewFolderFromTemplate(dataDir: string): Error | undefined {
  const template = usableTemplate();
  if (!template) return undefined;
  try {
    writeTemplateFolder(template, dataDir, [LOCK_FILE_NAME]);
    return undefined;
  } catch (err) {
    // PGlite unpacks the template itself (pgliteTemplateOptions), as it did before; should it fail
    // too, this error (with the host's own words: ENOSPC, EACCES) is the one to show.
    return err as Error;
  }
}

async function openPGlite(url: DatabaseUrl & { kind: 'pglite' | 'memory' }, options: OpenOptions): Promise<Database> {
  let lock: FolderLock | undefined;
  // The first start of an embedded database takes many seconds (and blocks timers while the
  // WebAssembly initdb runs): say so before it starts, on stderr, terminal or not.
  const note = options.onNote ?? ((text: string) => process.stderr.write(text));
  const first = url.kind === 'pglite' && isNewFolder(url.path);
  const started = performance.now();
  if (first) note(`creating the embedded database (${url.display}); the first start takes a while…\n`);
  if (url.kind === 'pglite') {
    if (url.base) refuseLinksBelow([url.base], url.path);
    const closed = makePrivateFolder(url.path, holdsNoDatabase(url.path));
    if (closed !== undefined)
      note(`closed ${url.path} to other users (mode ${closed.toString(8)} → 700): it holds the database\n`);
    lock = acquireFolderLock(url.path);
  }
  let written: Error | undefined;
  try {
    // Each driver is imported when its kind of URL is opened: a PostgreSQL run never loads PGlite.
    const [{ PGlite }, artifacts] = await Promise.all([
      import('@electric-sql/pglite'),
      pgliteArtifacts(!options.longRunning),
    ]);
    const dataDir = url.kind === 'pglite' ? url.path : undefined;
    if (dataDir && first) written = writeNewFolderFromTemplate(dataDir);
    const pglite = await PGlite.create({
      dataDir,
      ...artifacts,
      ...pgliteTemplateOptions(dataDir),
      startParams: pgliteStartParams(PGlite),
    });
    const db = new Kysely<DatabaseSchema>({
      dialect: new PGliteDialect(pglite),
      log: options.onQuery ? (event) => options.onQuery!(event.query) : undefined,
    });
    if (first) note(`the embedded database is ready (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
    // No autovacuum in PGlite: a service looks every minute, and every close of a folder looks once.
    let running: Promise<unknown> | undefined;
    const maintain = () =>
      (running ??= maintainEmbedded(db)
        .catch(() => {}) // a look that failed is taken again at the next
        .finally(() => (running = undefined)));
    const timer = options.longRunning
      ? setInterval(maintain, options.maintenanceEveryMs ?? MAINTENANCE_INTERVAL_MS).unref()
      : undefined;
    return {
      db,
      kind: 'pglite',
      displayUrl: url.display,
      close: async () => {
        try {
          clearInterval(timer);
          // Not behind a transaction still open on the one connection (a close from inside one
          // would wait for itself), and never for long: closing did not wait before.
          if (url.kind === 'pglite' && !pglite.isInTransaction()) await within(maintain(), CLOSE_LOOK_MS);
          else if (running) await within(running, CLOSE_LOOK_MS);
          await db.destroy();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (err) {
    lock?.release();
    // PGlite's file system errors carry no message, only an errno (WebAssembly's numbering).
    const { message, errno } = err as { message?: string; errno?: number };
    if (message) throw new UserError(`cannot open the ${url.display}: ${message}`);
    const own = written ? `; writing its first files: ${escapeText(written.message.slice(0, 300))}` : '';
    throw new UserError(
      `cannot open the ${url.display}: a file system error in its folder: ${pgliteErrnoText(errno)}${own}`,
      'check the files and permissions in that folder; one without PG_VERSION holds no database yet, and can be moved away to start anew',
    );
  }
}

async function openPostgres(url: DatabaseUrl & { kind: 'postgres' }, options: OpenOptions): Promise<Database> {
  checkSslFileParams(url.url, url.display);
  const unmute = muteDriverWarnings(options.onNote ?? ((t) => process.stderr.write(t)));
  try {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({
      connectionString: url.url,
      max: options.poolSize ?? 4,
      connectionTimeoutMillis: 10_000,
    });
    // A dropped connection surfaces as an error on the next query; without these listeners pg
    // would crash the process from an 'error' event instead.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    try {
      const client = await pool.connect();
      client.release();
    } catch (err) {
      await pool.end().catch(() => {});
      throw new UserError(
        `database ${url.display} is unreachable: ${scrubSecrets((err as Error).message, url)}`,
        'check the host, port and credentials (the URL is shown without user and password)',
      );
    }
    const dialect = new PostgresDialect({ pool: options.namedStatements ? withNamedStatements(pool) : pool });
    const db = new Kysely<DatabaseSchema>({
      dialect,
      log: options.onQuery ? (event) => options.onQuery!(event.query) : undefined,
    });
    return {
      db,
      kind: 'postgres',
      displayUrl: url.display,
      close: async () => {
        try {
          await db.destroy();
        } finally {
          unmute();
        }
      },
    };
  } catch (err) {
    unmute();
    throw err;
  }
}

/**
 * `memory:NAME` databases of this process: every open of the name shares one instance (one Kysely,
 * so its statements stay serialized on PGlite's single connection); the last close ends it. The
 * CLI in process and `serve` in the same test then see one database, as they would on PostgreSQL.
 */
const sharedMemory = new Map<string, { opened: Promise<Database>; users: number }>();

function openSharedMemory(
  url: DatabaseUrl & { kind: 'memory'; name: string },
  options: OpenOptions,
): Promise<Database> {
  let entry = sharedMemory.get(url.name);
  if (!entry) {
    entry = { opened: openPGlite(url, options), users: 0 };
    sharedMemory.set(url.name, entry);
    entry.opened.catch(() => sharedMemory.delete(url.name));
  }
  const mine = entry;
  mine.users++;
  return mine.opened.then((database) => {
    let closed = false;
    return {
      ...database,
      close: async () => {
        if (closed) return;
        closed = true;
        if (--mine.users > 0) return;
        sharedMemory.delete(url.name);
        await database.close();
      },
    };
  });
}

/** Opens a database; a string is parsed first (a relative pglite:PATH against the process's folder). */
export async function openDatabase(url: string | DatabaseUrl, options: OpenOptions = {}): Promise<Database> {
  const parsed = typeof url === 'string' ? parseDatabaseUrl(url, process.cwd()) : url;
  if (parsed.kind === 'memory' && parsed.name !== undefined)
    return openSharedMemory({ ...parsed, name: parsed.name }, options);
  return parsed.kind === 'postgres' ? openPostgres(parsed, options) : openPGlite(parsed, options);
}

function migratorFor(db: Kysely<DatabaseSchema>): Migrator {
  return new Migrator({
    db,
    provider: migrationProvider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: 'argosctl_migration_lock',
  });
}

export async function migrateToLatest(db: Kysely<DatabaseSchema>): Promise<string[]> {
  if (await schemaIsCurrent(db)) return [];
  const migrator = migratorFor(db);
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw new UserError(`database migration failed: ${(error as Error).message}`);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function pendingMigrations(db: Kysely<DatabaseSchema>): Promise<string[]> {
  if (await schemaIsCurrent(db)) return [];
  return (await migratorFor(db).getMigrations()).filter((m) => !m.executedAt).map((m) => m.name);
}

/** PostgreSQL is migrated on purpose (`argosctl db migrate`); other commands check it was. */
async function assertMigrated(database: Database): Promise<void> {
  const pending = await pendingMigrations(database.db);
  if (pending.length) {
    throw new UserError(
      `the database ${database.displayUrl} needs ${pending.length} migration(s): ${pending.join(', ')}`,
      'run argosctl db migrate',
    );
  }
}

/** Opens the database, migrates an embedded one, runs `work`, and always closes. */
export async function withDatabase<T>(
  url: string | DatabaseUrl,
  work: (database: Database) => Promise<T>,
  options: { migrate?: 'auto' | 'always' | 'never'; open?: OpenOptions } = {},
): Promise<T> {
  const database = await openDatabase(url, options.open);
  try {
    const mode = options.migrate ?? 'auto';
    if (mode === 'always' || (mode === 'auto' && database.kind === 'pglite')) await migrateToLatest(database.db);
    else if (mode === 'auto') await assertMigrated(database);
    return await work(database);
  } finally {
    await database.close();
  }
}
