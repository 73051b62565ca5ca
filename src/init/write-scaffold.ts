// Writes the scaffold without overwriting or following anything: a file that exists (or a link,
// even a dangling one) is kept; a folder on the way that is a link or not a folder blocks the files
// below it. Files are created with O_EXCL | O_NOFOLLOW, so a link planted after the checks is not
// followed either.
import { closeSync, constants, lstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { ScaffoldFile } from './scaffold-files.js';

export type ScaffoldOutcome =
  | { path: string; result: 'created' }
  | { path: string; result: 'kept'; link: boolean }
  | { path: string; result: 'blocked'; reason: string };

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/** Makes each missing folder of `rel` below `base`; the reason it cannot, when one is in the way. */
function makeFolders(base: string, rel: string): string | undefined {
  let dir = base;
  const shown: string[] = [];
  for (const segment of rel.split('/').slice(0, -1)) {
    dir = path.join(dir, segment);
    shown.push(segment);
    try {
      const stats = lstatSync(dir);
      if (stats.isSymbolicLink()) return `${shown.join('/')} is a link; init writes nothing through links`;
      if (!stats.isDirectory()) return `${shown.join('/')} exists and is not a folder`;
    } catch (err) {
      if (code(err) !== 'ENOENT') return `${shown.join('/')} cannot be read (${code(err) ?? 'error'})`;
      mkdirSync(dir);
    }
  }
  return undefined;
}

function writeOne(base: string, file: ScaffoldFile): ScaffoldOutcome {
  const blocked = makeFolders(base, file.path);
  if (blocked) return { path: file.path, result: 'blocked', reason: blocked };
  const full = path.join(base, ...file.path.split('/'));
  let fd: number;
  try {
    fd = openSync(full, CREATE, 0o644);
  } catch (err) {
    // EEXIST: a file or a link (O_EXCL never follows one); ELOOP: O_NOFOLLOW met a link.
    if (code(err) === 'EEXIST' || code(err) === 'ELOOP') {
      return { path: file.path, result: 'kept', link: lstatSync(full).isSymbolicLink() };
    }
    return { path: file.path, result: 'blocked', reason: `cannot be created (${code(err) ?? 'error'})` };
  }
  try {
    writeSync(fd, file.content);
  } finally {
    closeSync(fd);
  }
  return { path: file.path, result: 'created' };
}

export function writeScaffold(base: string, files: ScaffoldFile[]): ScaffoldOutcome[] {
  return files.map((file) => writeOne(base, file));
}
