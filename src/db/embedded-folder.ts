// The folder of an embedded database, made ready before PGlite opens it. A pull request controls
// the project's files: it can commit `.argos` (or any folder on the way to the database) as a link
// to a folder elsewhere, and PGlite would follow it. The folder itself is private to its owner, as
// PostgreSQL requires of its data directory: PGlite's own loader writes the template's files with
// mode 0666, whatever the umask, so only a closed folder keeps other users out of them.
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { LOCK_FILE_NAME } from './folder-lock.js';

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

function realOrNone(at: string): string | undefined {
  try {
    return realpathSync.native(at);
  } catch {
    return undefined;
  }
}

/**
 * Refuses a link at `folder` or between a project folder (`bases`: the git checkout, the folder a
 * relative path is anchored in) and it: a pull request writes the project's files, and can commit
 * `.argos` as a link to anywhere. The project folder is found among `folder`'s ancestors by its real
 * path, so a spelling through a link above it (`$PWD` via a linked folder, macOS's /var) is checked
 * too. Folders not there yet are fine (they are made as real folders); what lies above the project
 * folder is the user's own.
 */
export function refuseLinksBelow(bases: readonly string[], folder: string): void {
  const projects = new Set(bases.map(realOrNone).filter((b): b is string => b !== undefined));
  if (projects.size === 0) return;
  const parts = path.resolve(folder).split(path.sep).slice(1);
  let at = path.parse(path.resolve(folder)).root;
  let inside = projects.has(realOrNone(at) ?? '');
  for (const part of parts) {
    at = path.join(at, part);
    let isLink: boolean;
    try {
      isLink = lstatSync(at).isSymbolicLink();
    } catch (err) {
      if (code(err) === 'ENOENT') return; // the rest is made as real folders
      throw err;
    }
    if (inside && isLink) {
      throw new UserError(
        `the embedded database's folder ${folder} is reached through a link (${at}); argosctl does not follow links inside the project to its database`,
        'if a checkout brought that link, delete it; if you made it, name the real folder (its `realpath`) with --database-url or ARGOS_DATABASE_URL as pglite:/ABSOLUTE/PATH',
      );
    }
    inside ||= projects.has(realOrNone(at) ?? '');
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

/** No database in it yet: PGlite's own loader may write its files there (the fallback for a new one too). */
export function holdsNoDatabase(folder: string): boolean {
  return !existsSync(path.join(folder, 'PG_VERSION'));
}

/** No database and nothing else yet: missing, empty, or holding only a lock left by a start cut short. */
export function isNewFolder(folder: string): boolean {
  try {
    return readdirSync(folder).every((name) => name === LOCK_FILE_NAME);
  } catch {
    return true;
  }
}
