// Writing a file so that readers see the old bytes or the new ones, never half: a new temporary
// file beside it (O_EXCL: never an existing file or a link), flushed, then renamed over the target.
// rename replaces a link itself rather than writing through it.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fsyncSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** How the temporary file is opened: created here and now, never an existing file, never through a link. */
export const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** The temporary file's name: unpredictable, beside the target (tests replace it to plant a link there). */
export const temporaryPaths = {
  next: (full: string) =>
    path.join(path.dirname(full), `.${path.basename(full)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`),
};

export function writeFileAtomic(full: string, text: string | Uint8Array, mode = 0o644): void {
  const tmp = temporaryPaths.next(full);
  const fd = openSync(tmp, CREATE_NEW, mode);
  try {
    try {
      fchmodSync(fd, mode); // the umask must not narrow a mode being kept
      writeFileSync(fd, text); // loops until every byte is written
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, full);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already renamed or gone */
    }
    throw err;
  }
}
