// New embedded databases start from the template built with the package, not from initdb; the
// migrations still run after loading (an older build's template is upgraded), and a template
// from another PGlite version, a missing one, or a folder that already holds a database is
// left alone.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/connection.js';
import { MIGRATIONS } from '../../src/db/migrations.js';
import { PGliteDialect } from '../../src/db/pglite-dialect.js';
import {
  installedPGliteVersion,
  pgliteTemplateOptions,
  readTemplateStamp,
  TEMPLATE_FILE,
} from '../../src/db/pglite-template.js';
import type { DatabaseSchema } from '../../src/db/schema.js';
import { tempDir } from '../helpers/cli.js';
import { createPGlite } from '../helpers/pglite.js';

const tables = async (pglite: PGlite) =>
  (
    await pglite.query<{ t: string }>(
      `select table_name as t from information_schema.tables where table_schema = 'public' order by 1`,
    )
  ).rows.map((r) => r.t);

describe('the PGlite template built with the package', () => {
  it('is there after npm run build, made by the installed PGlite, and holds every migration', async () => {
    expect(existsSync(TEMPLATE_FILE), `${TEMPLATE_FILE} is missing: run npm run build`).toBe(true);
    expect(readTemplateStamp()?.pglite).toBe(installedPGliteVersion());
    const options = pgliteTemplateOptions(undefined);
    expect(options.loadDataDir).toBeInstanceOf(Blob);
    const pglite = await createPGlite(options);
    const db = new Kysely<DatabaseSchema>({ dialect: new PGliteDialect(pglite) });
    try {
      expect(await migrateToLatest(db)).toEqual([]); // nothing pending: no migration ran here
      expect(await tables(pglite)).toContain('projects');
    } finally {
      await db.destroy();
    }
  });
});

describe('the PGlite the package asks npm for', () => {
  it('is pinned to the exact version that made the template: npm would otherwise install a newer patch, which ignores it', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(manifest.dependencies['@electric-sql/pglite']).toBe(installedPGliteVersion());
    expect(readTemplateStamp()?.pglite).toBe(installedPGliteVersion());
  });
});

describe('starting from a template', () => {
  let dir: string;
  let file: string;
  /** A template as an older build made it: only the first migration, plus a marker table. */
  beforeAll(async () => {
    dir = tempDir();
    file = path.join(dir, 'old-template.tar.gz');
    const pglite = await createPGlite(pgliteTemplateOptions(undefined, file)); // no stamp yet: initdb
    const db = new Kysely<DatabaseSchema>({ dialect: new PGliteDialect(pglite) });
    const first = { '001_projects': MIGRATIONS['001_projects'] };
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => first },
      migrationTableName: 'argosctl_migrations',
      migrationLockTableName: 'argosctl_migration_lock',
    });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    await pglite.exec('create table from_the_template (x int)');
    writeFileSync(file, Buffer.from(await (await pglite.dumpDataDir('gzip')).arrayBuffer()));
    await db.destroy();
  });

  const stamp = (pglite: string) =>
    writeFileSync(file.replace(/\.tar\.gz$/, '.json'), JSON.stringify({ pglite, migrations: 'x' }));

  it('a new folder starts from it, the migrations bring it up to date, and it reopens as a plain folder', async () => {
    stamp(installedPGliteVersion());
    const dataDir = path.join(dir, 'db');
    const options = pgliteTemplateOptions(dataDir, file);
    expect(options.loadDataDir).toBeInstanceOf(Blob);
    const pglite = await createPGlite({ dataDir, ...options });
    const db = new Kysely<DatabaseSchema>({ dialect: new PGliteDialect(pglite) });
    expect(await tables(pglite)).toContain('from_the_template');
    expect(await migrateToLatest(db)).toEqual(Object.keys(MIGRATIONS).slice(1));
    await db.destroy();
    expect(existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
    expect(pgliteTemplateOptions(dataDir, file)).toEqual({}); // the folder holds a database now
    const reopened = await createPGlite(dataDir);
    try {
      expect(await tables(reopened)).toEqual(expect.arrayContaining(['from_the_template', 'projects', 'tokens']));
    } finally {
      await reopened.close();
    }
  });

  it('memory: starts from it too', async () => {
    stamp(installedPGliteVersion());
    const pglite = await createPGlite(pgliteTemplateOptions(undefined, file));
    try {
      expect(await tables(pglite)).toContain('from_the_template');
    } finally {
      await pglite.close();
    }
  });

  it('is not used when another PGlite version made it, or when the file is missing', () => {
    stamp('0.0.1');
    expect(pgliteTemplateOptions(undefined, file)).toEqual({});
    expect(pgliteTemplateOptions(path.join(dir, 'other'), file)).toEqual({});
    stamp(installedPGliteVersion());
    expect(pgliteTemplateOptions(undefined, path.join(dir, 'missing.tar.gz'))).toEqual({});
  });
});
