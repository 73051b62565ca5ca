// A pre-initialised, migrated PGlite data directory, built with the package (npm run build), from
// which a new embedded folder or `memory:` starts instead of running initdb (seconds to tens of
// seconds). Used only when it was made by the installed PGlite version; otherwise PGlite runs
// initdb as before. The migrations still run after loading, so a template made by an older build
// of argosctl is brought up to date like any existing database.
import { packagePath } from '../package-root.js';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** In the package's dist/ folder, from src/db/, dist/db/ and the bundle alike. */
export const TEMPLATE_FILE = packagePath('dist', 'pglite-template.tar.gz');
export const TEMPLATE_STAMP_FILE = TEMPLATE_FILE.replace(/\.tar\.gz$/, '.json');

export interface TemplateStamp {
  /** The @electric-sql/pglite version that made it: data directories are not portable across versions. */
  pglite: string;
  /** A digest of the migrations it holds, so the build knows when to remake it. */
  migrations: string;
  /** How the template is made (build-pglite-template.ts): a template made another way is made again. */
  recipe?: number;
}

export function installedPGliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  let dir = path.dirname(entry);
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

export function readTemplateStamp(stampFile = TEMPLATE_STAMP_FILE): TemplateStamp | undefined {
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8')) as TemplateStamp;
  } catch {
    return undefined;
  }
}

/** The template's bytes, when it was made by the installed PGlite version (else undefined: initdb runs). */
export function usableTemplate(file = TEMPLATE_FILE): Buffer<ArrayBuffer> | undefined {
  const stamp = readTemplateStamp(file.replace(/\.tar\.gz$/, '.json'));
  if (!stamp || stamp.pglite !== installedPGliteVersion() || !existsSync(file)) return undefined;
  return readFileSync(file);
}

/**
 * PGlite options that start a new database from the template: for `memory:` (no dataDir) or a
 * folder that holds no database yet. Empty (so PGlite opens the folder or runs initdb) otherwise.
 */
export function pgliteTemplateOptions(dataDir: string | undefined, file = TEMPLATE_FILE): { loadDataDir?: Blob } {
  if (dataDir && existsSync(path.join(dataDir, 'PG_VERSION'))) return {};
  const template = usableTemplate(file);
  return template ? { loadDataDir: new Blob([template]) } : {};
}
