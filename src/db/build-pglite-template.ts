// Makes dist/pglite-template.tar.gz (see pglite-template.ts): initdb and every migration once, at
// build time, then a gzipped dump of the data directory. Skipped when the one there is current.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { migrateToLatest } from './connection.js';
import { PGliteDialect } from './pglite-dialect.js';
import { installedPGliteVersion, readTemplateStamp, TEMPLATE_FILE, type TemplateStamp } from './pglite-template.js';
import type { DatabaseSchema } from './schema.js';

/** 2: a checkpoint before the dump (see below). */
const RECIPE = 2;

function currentStamp(): TemplateStamp {
  const self = fileURLToPath(import.meta.url);
  const migrations = readFileSync(path.join(path.dirname(self), `migrations${path.extname(self)}`));
  return {
    pglite: installedPGliteVersion(),
    migrations: createHash('sha256').update(migrations).digest('hex'),
    recipe: RECIPE,
  };
}

/** Returns false when the template there was already current. */
export async function buildPGliteTemplate(file = TEMPLATE_FILE): Promise<boolean> {
  const stamp = currentStamp();
  const stampFile = file.replace(/\.tar\.gz$/, '.json');
  const old = readTemplateStamp(stampFile);
  if (old && old.pglite === stamp.pglite && old.migrations === stamp.migrations && old.recipe === stamp.recipe)
    return false;
  const pglite = await PGlite.create(); // initdb, not the old template: a changed migration starts clean
  const db = new Kysely<DatabaseSchema>({ dialect: new PGliteDialect(pglite) });
  try {
    await migrateToLatest(db);
    // The dump is of a running server, so every start from it recovers: without a checkpoint first it
    // replayed the migrations' WAL (1.5 MB) and then wrote every page it touched, at each new folder
    // and each `memory:` database.
    await pglite.exec('CHECKPOINT');
    const dump = Buffer.from(await (await pglite.dumpDataDir('gzip')).arrayBuffer());
    writeFileSync(`${file}.tmp`, dump);
    renameSync(`${file}.tmp`, file);
    writeFileSync(stampFile, `${JSON.stringify(stamp, null, 2)}\n`); // last: a stamp always names a whole file
  } finally {
    await db.destroy();
  }
  return true;
}
