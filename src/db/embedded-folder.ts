// The folder of an embedded database, made ready before PGlite opens it. A pull request controls
// the project's files: it can commit `.argos` (or any folder on the way to the database) as a link
// to a folder elsewhere, and PGlite would follow it. The folder itself is private to its owner, as
// PostgreSQL requires of its data directory: PGlite's own loader writes the template's files with
// mode 0666, whatever the umask, so only a closed folder keeps other users out of them.
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { LOCK_FILE_NAME } from './folder-lock.js';

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

/**
 * Refuses a link at `folder` or between `base` and it: a relative `pglite:` path (the default
 * `.argos/db` among them) is anchored in the project, whose files a pull request writes. Folders
 * not there yet are fine (they are made as real folders); `base` itself and what lies above it are
 * the user's own.
 */
export function refuseLinksBelow(base: string, folder: string): void {
  const relative = path.relative(base, folder);
  const outside = relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  if (relative === '' || outside) return; // `..argos` is a name inside
  let at = base;
  for (const part of relative.split(path.sep)) {
    at = path.join(at, part);
    let isLink: boolean;
    try {
      isLink = lstatSync(at).isSymbolicLink();
    } catch (err) {
      if (code(err) === 'ENOENT') return; // the rest is made as real folders
      throw err;
    }
    if (isLink) {
      throw new UserError(
        `the embedded database's folder ${folder} is reached through a link (${at}); argosctl does not follow links inside the project to its database`,
        'make it a real folder, or name the real folder (its `realpath`) with --database-url pglite:/ABSOLUTE/PATH',
      );
    }
  }
}

/** Any access for other users, or write for the owner's group: PostgreSQL allows 0700 or 0750. */
const OPEN_TO_OTHERS = 0o027;
/** Any access but the owner's. */
const OPEN_TO_ANYONE = 0o077;

/**
 * Makes the folder (private, 0700) when it is missing, and closes (0700) one of this user's that is
 * open to other users; a group-readable 0750, which PostgreSQL allows, is left as it is, except when
 * `loaderWrites` (PGlite's loader is about to write files 0666 there, which its group could then
 * change). A folder of another user's is left alone. The rest of the path is made as usual.
 * Returns the mode it closed, for a note.
 */
export function makePrivateFolder(folder: string, loaderWrites = false): number | undefined {
  mkdirSync(path.dirname(folder), { recursive: true });
  try {
    mkdirSync(folder, { mode: 0o700 });
  } catch (err) {
    if (code(err) !== 'EEXIST') throw err;
  }
  const stats = lstatSync(folder);
  const mine = !process.getuid || stats.uid === process.getuid();
  const open = stats.mode & (loaderWrites ? OPEN_TO_ANYONE : OPEN_TO_OTHERS);
  if (!stats.isDirectory() || !mine || !open) return undefined;
  chmodSync(folder, 0o700);
  return stats.mode & 0o7777;
}

/** A folder that holds files but no database (a first start cut short): PGlite's own loader writes it. */
export function isHalfMade(folder: string): boolean {
  try {
    return !isNewFolder(folder) && !existsSync(path.join(folder, 'PG_VERSION'));
  } catch {
    return false;
  }
}

/** No database and nothing else yet: missing, empty, or holding only a lock left by a start cut short. */
export function isNewFolder(folder: string): boolean {
  try {
    return readdirSync(folder).every((name) => name === LOCK_FILE_NAME);
  } catch {
    return true;
  }
}
