// Putting exported files on disk: every target checked before the first byte is written (refuse
// to overwrite unless forced, never through a link or outside the output folder), then each
// file written atomically.
import { lstatSync, mkdirSync, realpathSync, type Stats } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { isInside } from '../manifest/read/safe-read.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { ExportFile } from './export-files.js';

function lstatOrUndefined(full: string): Stats | undefined {
  try {
    return lstatSync(full);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes `files` below `outDir`; returns the paths written, relative to `outDir`. */
export function writeExport(outDir: string, files: readonly ExportFile[], force: boolean): string[] {
  const out = lstatOrUndefined(outDir);
  if (out && !out.isDirectory())
    throw new UserError(`--out ${outDir} exists and is not a folder; nothing was written`, 'name a folder for --out');
  mkdirSync(outDir, { recursive: true });
  const root = realpathSync(outDir);
  const existing: string[] = [];
  for (const file of files) {
    const folder = path.dirname(path.join(root, file.rel));
    const folderStats = lstatOrUndefined(folder);
    if (folderStats && !folderStats.isDirectory())
      throw new UserError(
        `${path.relative(root, folder)} in ${outDir} is not a folder (a link or a file); nothing was written`,
      );
    if (folderStats && !isInside(root, realpathSync(folder)))
      throw new UserError(`${path.relative(root, folder)} leads outside ${outDir}; nothing was written`);
    const stats = lstatOrUndefined(path.join(root, file.rel));
    if (!stats) continue;
    if (!stats.isFile())
      throw new UserError(`${file.rel} in ${outDir} exists and is not a regular file; nothing was written`);
    existing.push(file.rel);
  }
  if (existing.length && !force) {
    throw new UserError(
      `${existing.length} file(s) already exist in ${outDir}: ${existing.join(', ')}; nothing was written`,
      'pass --force to replace them, or --out to write elsewhere',
    );
  }
  for (const file of files) {
    const full = path.join(root, file.rel);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileAtomic(full, file.text);
  }
  return files.map((f) => f.rel);
}
