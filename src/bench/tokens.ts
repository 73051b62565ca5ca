// Token benchmark: import 100,000 IDs and prune a full project, next to floors measured in the
// same run (psql \copy of the same file; one hand-written DELETE of the same rows).
import { $ } from 'zx';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { migrateToLatest, openDatabase } from '../db/connection.js';
import type { DatabaseSchema } from '../db/schema.js';
import { parseTokenImport } from '../tokens/import-file.js';
import { prunePass } from '../tokens/prune.js';
import { registerTokens } from '../tokens/token-store.js';

const N = 100_000;
const PROJECT = 'bench-tokens';

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return Math.round(performance.now() - start);
}

async function resetTokens(db: Kysely<DatabaseSchema>): Promise<void> {
  await sql`truncate tokens`.execute(db);
  await sql`delete from token_counts`.execute(db);
}

async function fillAndExpire(db: Kysely<DatabaseSchema>, ids: string[]): Promise<void> {
  await resetTokens(db);
  await registerTokens(db, PROJECT, ids);
  await sql`update tokens set expired_at = now() where project_id = ${PROJECT} and right(token_id, 1) = '7'`.execute(
    db,
  ); // 10% expired
  await sql`vacuum analyze tokens`.execute(db); // the same fresh statistics for prune and its floor
}

export async function tokenBench(url: string, dialect: string, dir: string): Promise<Record<string, number | string>> {
  const m: Record<string, number | string> = {};
  const ids = Array.from({ length: N }, (_, i) => `bench-token-${String(i).padStart(8, '0')}`);
  const idsFile = path.join(dir, 'ids.txt');
  const csvFile = path.join(dir, 'ids.csv');
  writeFileSync(idsFile, ids.join('\n') + '\n');
  writeFileSync(csvFile, ids.map((id) => `${PROJECT},${id}`).join('\n') + '\n');

  const database = await openDatabase(url);
  const { db } = database;
  try {
    await migrateToLatest(db);
    await sql`insert into projects (id, name, status, token_pre_registration, token_delete_on_expiration, token_volume_start_threshold, token_volume_ratio, token_volume_priority)
      values (${PROJECT}, 'bench', 'TEST', true, true, 80, 20, 'oldest-first')`.execute(db);

    if (dialect === 'postgres') {
      m.floorCopyMs = await timed(
        () => $`psql ${url} -qc ${`\\copy tokens(project_id, token_id) from '${csvFile}' with (format csv)`}`,
      );
    } else {
      m.floorCopyMs = await timed(() =>
        sql`insert into tokens (project_id, token_id) select ${PROJECT}, unnest(cast(${`{${ids.join(',')}}`} as text[]))`.execute(
          db,
        ),
      );
    }
    await resetTokens(db);
    m.importMs = await timed(async () => {
      const parsed = parseTokenImport(idsFile, readFileSync(idsFile, 'utf8'));
      await registerTokens(db, PROJECT, parsed.ids);
    });
    m.importIdsPerSecond = Math.round(N / (Number(m.importMs) / 1000));

    await fillAndExpire(db, ids);
    let deleted = 0;
    m.pruneMs = await timed(async () => {
      const [result] = await prunePass(db, { projects: [PROJECT] });
      deleted = result.expiredDeleted + result.volumeDeleted;
    });
    m.pruneDeleted = deleted;

    await fillAndExpire(db, ids);
    const volume = Math.ceil(((N - N / 10) * 20) / 100);
    m.floorDeleteMs = await timed(() =>
      sql`
      delete from tokens where project_id = ${PROJECT} and (expired_at is not null or token_id in (
        select token_id from tokens where project_id = ${PROJECT} and expired_at is null order by registered_at, token_id limit ${volume}))`.execute(
        db,
      ),
    );
    m.floorDeleted = N / 10 + volume;
  } finally {
    await database.close();
  }
  return m;
}
