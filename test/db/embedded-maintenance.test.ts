// PGlite has no autovacuum: argosctl analyzes and vacuums an embedded database's tables past
// autovacuum's thresholds when a folder is closed and every minute while a service holds it
// (src/db/embedded-maintenance.ts). Without it the planner never learns how many tokens there are.
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../src/db/connection.js';
import { maintainEmbedded } from '../../src/db/embedded-maintenance.js';
import type { DatabaseSchema } from '../../src/db/schema.js';
import { deleteTokens, registerTokens } from '../../src/tokens/token-store.js';
import { tempDir } from '../helpers/cli.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { ids, tokenProject } from '../helpers/token-fixtures.js';
import { waitFor } from '../helpers/wait.js';

const pglite = DATABASE_TARGETS.find((t) => t.name === 'pglite')!;

async function tokenStats(db: Kysely<DatabaseSchema>): Promise<{ reltuples: number; analyzed: boolean }> {
  const { rows } = await sql<{ reltuples: number; analyzed: boolean }>`
    select c.reltuples::float8 as reltuples, s.last_analyze is not null as analyzed
    from pg_class c join pg_stat_user_tables s on s.relid = c.oid where c.relname = 'tokens'`.execute(db);
  return rows[0];
}

describe('embedded database maintenance (PGlite has no autovacuum)', () => {
  const fresh = useFreshDatabase(pglite);

  it('analyzes the tokens once enough changed, not before, and vacuums once enough are dead', async () => {
    const db = fresh.database.db;
    await tokenProject(db, 'm');
    await registerTokens(db, 'm', ids('few', 40)); // under 50 changed rows: not yet
    expect(await maintainEmbedded(db)).toEqual({ analyzed: [], vacuumed: [] });
    expect(await tokenStats(db)).toEqual({ reltuples: -1, analyzed: false });

    await registerTokens(db, 'm', ids('many', 2_000));
    expect((await maintainEmbedded(db)).analyzed).toContain('tokens');
    expect(await tokenStats(db)).toEqual({ reltuples: 2_040, analyzed: true });
    expect((await maintainEmbedded(db)).analyzed).not.toContain('tokens'); // nothing changed since

    for (const id of ids('many', 1_000)) await deleteTokens(db, 'm', [id]);
    expect((await maintainEmbedded(db)).vacuumed).toContain('tokens');
    expect((await tokenStats(db)).reltuples).toBe(1_040);
  });

  it('with its statistics, a page of a 20,000-token project is read from the registration index, not sorted', async () => {
    const db = fresh.database.db;
    await tokenProject(db, 'big');
    await registerTokens(db, 'big', ids('big', 20_000));
    const plan = async () =>
      (
        await sql<{ 'QUERY PLAN': string }>`explain select token_id from tokens t where t.project_id = 'big'
          order by t.registered_at, t.token_id limit 101`.execute(db)
      ).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
    await maintainEmbedded(db);
    expect(await plan()).toContain('tokens_by_registration');
    expect(await plan()).not.toContain('Sort');
  });
});

describe('an embedded folder is looked at when closed, and while a service holds it', () => {
  it('a close while a transaction is open does not wait for it to end (the look is skipped)', async () => {
    const url = `pglite:${path.join(tempDir(), 'db')}`;
    const database = await openDatabase(url);
    await migrateToLatest(database.db);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inside!: () => void;
    const begun = new Promise<void>((resolve) => (inside = resolve));
    const transaction = database.db
      .transaction()
      .execute(async (tx) => {
        await tokenProject(tx, 'open');
        inside();
        await held;
      })
      .catch((err: Error) => err);
    await begun;
    let closed = false;
    const closing = database.close().then(() => (closed = true));
    // The close ends while the transaction still waits; only then is it let go.
    await waitFor('the close to end with the transaction still open', async () => closed);
    release();
    await closing;
    await transaction;
  });

  it('a command that registered many tokens leaves them analyzed; a long-running open looks on its own', async () => {
    const url = `pglite:${path.join(tempDir(), 'db')}`;
    const first = await openDatabase(url);
    await migrateToLatest(first.db);
    await tokenProject(first.db, 'f');
    await registerTokens(first.db, 'f', ids('f', 1_000));
    await first.close();

    const service = await openDatabase(url, { longRunning: true, maintenanceEveryMs: 50 });
    try {
      // (Its last_analyze is not kept across a restart; the statistics the planner reads are.)
      expect((await tokenStats(service.db)).reltuples).toBe(1_000);
      await registerTokens(service.db, 'f', ids('g', 1_000));
      await waitFor('the service to analyze the tokens it registered', async () => {
        return (await tokenStats(service.db)).reltuples === 2_000;
      });
    } finally {
      await service.close();
    }
  });
});
