// Writing a file so that readers see the old bytes or the new ones, never half: a new temporary
// file beside it (O_EXCL: never an existing file or a link), flushed, then renamed over the target.
// rename replaces a link itself rather than writing through it.
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

export function writeFileAtomic(full: string, text: string, mode = 0o644): void {
  const tmp = path.join(
    path.dirname(full),
    `.${path.basename(full)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  const fd = openSync(tmp, 'wx', mode);
  try {
    try {
      fchmodSync(fd, mode); // the umask must not narrow a mode being kept
      writeSync(fd, text);
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
