// Reading a file a pull request controls: only regular files whose real path stays inside the
// manifest root, size checked before reading and the read itself capped, so a link to a secret,
// /proc/self/environ, /dev/zero or a FIFO is refused without a byte of it being read.
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  realpathSync,
  statSync,
  type Stats,
} from 'node:fs';
import path from 'node:path';

export type SafeRead = { ok: true; bytes: Buffer } | { ok: false; rule: string; problem: string };

/** `real` is `root` or below it (both real paths). */
export function isInside(root: string, real: string): boolean {
  const rel = path.relative(root, real);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Real paths of folders, each resolved once per listing with one realpath(3) call
 * (realpathSync.native): JS realpathSync walks every parent of every file with an lstat each (8
 * statx calls a file on the skip path). A listing's own: a folder swapped for a link after the
 * listing is a later run's to see.
 */
export class FolderRealPaths {
  private readonly known = new Map<string, string>();

  /** The real path of `dir`; throws as realpathSync does. */
  of(dir: string): string {
    let real = this.known.get(dir);
    if (real === undefined) {
      real = realpathSync.native(dir);
      this.known.set(dir, real);
    }
    return real;
  }
}

/** The real path of the manifest root, or undefined when it is not an existing folder. */
export function realRoot(dir: string): string | undefined {
  try {
    const real = realpathSync.native(path.resolve(dir));
    return statSync(real).isDirectory() ? real : undefined;
  } catch {
    return undefined;
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code ?? 'error';

/**
 * Reads `full` when it is a regular file of at most `maxBytes` inside `root` (a real path),
 * following a link only to such a file. Problems never quote the file's contents or a link's target.
 */
export function readInsideRoot(root: string, full: string, maxBytes: number, folders?: FolderRealPaths): SafeRead {
  let link: Stats;
  try {
    link = lstatSync(full);
  } catch (err) {
    return errno(err) === 'ENOENT'
      ? { ok: false, rule: 'files.missing', problem: 'does not exist' }
      : { ok: false, rule: 'files.unreadable', problem: `cannot be read (${errno(err)})` };
  }
  const via = link.isSymbolicLink() ? 'is a link to ' : 'is ';
  let real: string;
  try {
    // Not a link: its real path is its folder's plus its name (the folder resolved once per listing).
    real =
      folders && !link.isSymbolicLink()
        ? path.join(folders.of(path.dirname(full)), path.basename(full))
        : realpathSync.native(full);
  } catch (err) {
    return errno(err) === 'ENOENT' || errno(err) === 'ELOOP'
      ? { ok: false, rule: 'files.dangling-link', problem: 'is a link to nothing (its target does not exist)' }
      : { ok: false, rule: 'files.unreadable', problem: `cannot be read (${errno(err)})` };
  }
  if (!isInside(root, real)) {
    return {
      ok: false,
      rule: 'files.outside-root',
      problem: `${link.isSymbolicLink() ? 'is a link that leads' : 'is'} outside the manifest root`,
    };
  }
  let fd: number;
  try {
    const stats = link.isSymbolicLink() ? statSync(real) : link; // not a link: lstat said it all
    if (!stats.isFile())
      return { ok: false, rule: 'files.not-regular', problem: `${via}${kindOf(stats)}, not a regular file` };
    if (stats.size > maxBytes) return { ok: false, rule: 'files.too-large', problem: `is ${stats.size} bytes` };
    // O_NONBLOCK: should the file be swapped for a FIFO after the check, open() still returns at once.
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (err) {
    return { ok: false, rule: 'files.unreadable', problem: `cannot be read (${errno(err)})` };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile())
      return { ok: false, rule: 'files.not-regular', problem: `${via}${kindOf(stats)}, not a regular file` };
    return readCapped(fd, Math.min(stats.size, maxBytes) + 1, maxBytes);
  } catch (err) {
    return { ok: false, rule: 'files.unreadable', problem: `cannot be read (${errno(err)})` };
  } finally {
    closeSync(fd);
  }
}

/** stat sizes can lie (/proc files say 0): read until EOF, but never more than maxBytes + 1 bytes. */
function readCapped(fd: number, firstSize: number, maxBytes: number): SafeRead {
  let buffer = Buffer.allocUnsafe(firstSize);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > maxBytes) return { ok: false, rule: 'files.too-large', problem: `is more than ${maxBytes} bytes` };
      const grown = Buffer.allocUnsafe(Math.min(length * 2, maxBytes + 1));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    const n = readSync(fd, buffer, length, buffer.length - length, null);
    if (n === 0) return { ok: true, bytes: buffer.subarray(0, length) };
    length += n;
  }
}
