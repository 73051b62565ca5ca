// Every file argosctl reads for a user or a pull request goes through here: only a regular file
// (a link is followed only to one), never a kernel pseudo-file (/proc, /sys: their size says 0 and
// /proc/self/environ holds the secrets), size checked before reading and the read itself capped, so
// a link to /proc/self/environ, /dev/zero, a FIFO or a folder is refused without a byte of it read.
// Problems name the path, never the contents.
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  realpathSync,
  statSync,
  statfsSync,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { escapeText } from '../manifest/excerpt.js';

/** `stats`: the opened file's, taken before its bytes were read (validate's file signatures, read/file-signatures.ts). */
export type SafeRead = { ok: true; bytes: Buffer; stats: Stats } | { ok: false; rule: string; problem: string };

/** `real` is `root` or below it (both real paths). A name that merely starts with `..` (`..odd.yaml`) is inside. */
export function isInside(root: string, real: string): boolean {
  const rel = path.relative(root, real);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

// proc, sysfs, debugfs, securityfs, tracefs, configfs: files whose stat says "regular, 0 bytes".
const PSEUDO_FILE_SYSTEMS = new Set([0x9fa0, 0x62656572, 0x64626720, 0x73636673, 0x74726163, 0x62656570]);

function isPseudoFile(real: string, dev: number, knownDevices?: Map<number, boolean>): boolean {
  if (/^\/(?:proc|sys)(?:\/|$)/.test(real)) return true;
  // One file system per device number: a reader of many files asks statfs once per device.
  const known = knownDevices?.get(dev);
  if (known !== undefined) return known;
  let pseudo: boolean;
  try {
    pseudo = PSEUDO_FILE_SYSTEMS.has(Number(statfsSync(real).type));
  } catch {
    return false;
  }
  knownDevices?.set(dev, pseudo);
  return pseudo;
}

/** What a reader of many files (a manifest listing) resolves once rather than per file. */
export interface ReadShortcuts {
  /** The real path of `full`, known not to be a link (its folder's real path, resolved once, plus its name). */
  notLinkReal(full: string): string;
  /** Device number → whether its file system is a kernel pseudo-file system. */
  readonly pseudoDevices: Map<number, boolean>;
  /** Paths the listing saw as regular files, not links (readdir's file type): no lstat for them. */
  readonly listedRegular?: ReadonlySet<string>;
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code ?? 'error';

/**
 * Reads `full` when it is a regular file of at most `maxBytes` (and, with `root`, whose real path
 * is inside that real path), following a link only to such a file.
 */
export function readRegularFile(full: string, maxBytes: number, root?: string, shortcuts?: ReadShortcuts): SafeRead {
  if (shortcuts?.listedRegular?.has(full)) {
    const read = readListedRegular(full, maxBytes, root, shortcuts);
    if (read) return read;
  }
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
    real = shortcuts && !link.isSymbolicLink() ? shortcuts.notLinkReal(full) : realpathSync.native(full);
  } catch (err) {
    return errno(err) === 'ENOENT' || errno(err) === 'ELOOP'
      ? { ok: false, rule: 'files.dangling-link', problem: 'is a link to nothing (its target does not exist)' }
      : { ok: false, rule: 'files.unreadable', problem: `cannot be read (${errno(err)})` };
  }
  if (root !== undefined && !isInside(root, real)) {
    return {
      ok: false,
      rule: 'files.outside-root',
      problem: `${link.isSymbolicLink() ? 'is a link that leads' : 'is'} outside the manifest root`,
    };
  }
  let fd: number;
  try {
    // Not a link: lstat already described the file itself.
    const stats = link.isSymbolicLink() ? statSync(real) : link;
    if (!stats.isFile())
      return { ok: false, rule: 'files.not-regular', problem: `${via}${kindOf(stats)}, not a regular file` };
    if (isPseudoFile(real, stats.dev, shortcuts?.pseudoDevices))
      return {
        ok: false,
        rule: 'files.not-regular',
        problem: `${via}a kernel pseudo-file (/proc, /sys), not a regular file`,
      };
    if (stats.size > maxBytes) return { ok: false, rule: 'files.too-large', problem: `is ${byteCount(stats.size)}` };
    // O_NONBLOCK: should the file be swapped for a FIFO after the check, open() still returns at once.
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (err) {
    return { ok: false, rule: 'files.unreadable', problem: `cannot be read (${errno(err)})` };
  }
  try {
    // The opened file is what counts: it may have been swapped since the checks above.
    const stats = fstatSync(fd);
    if (!stats.isFile())
      return { ok: false, rule: 'files.not-regular', problem: `${via}${kindOf(stats)}, not a regular file` };
    if (stats.size > maxBytes) return { ok: false, rule: 'files.too-large', problem: `is ${byteCount(stats.size)}` };
    return readCapped(fd, stats, maxBytes);
  } catch (err) {
    return { ok: false, rule: 'files.unreadable', problem: `cannot be read (${errno(err)})` };
  } finally {
    closeSync(fd);
  }
}

/**
 * A file the listing saw as a regular file (the skip path reads 100,000 of them): opened without
 * following a link and checked on the open descriptor, with no lstat first. Undefined when it is no
 * longer what the listing saw (now a link, gone, not regular, too large): the full checks then name
 * the problem.
 */
function readListedRegular(full: string, maxBytes: number, root: string | undefined, shortcuts: ReadShortcuts) {
  const real = shortcuts.notLinkReal(full);
  if (root !== undefined && !isInside(root, real)) return undefined;
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.size > maxBytes || isPseudoFile(real, stats.dev, shortcuts.pseudoDevices))
      return undefined;
    return readCapped(fd, stats, maxBytes);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * stat sizes can lie: read until EOF, but never more than maxBytes + 1 bytes. A read that stops short
 * exactly at the size fstat gave is taken as the end (as readFileSync does), saving a last empty
 * read per file; any other short read reads on.
 */
function readCapped(fd: number, stats: Stats, maxBytes: number): SafeRead {
  const statSize = stats.size;
  let buffer = Buffer.allocUnsafe(Math.min(statSize, maxBytes) + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > maxBytes) return { ok: false, rule: 'files.too-large', problem: `is more than ${maxBytes} bytes` };
      const grown = Buffer.allocUnsafe(Math.min(length * 2, maxBytes + 1));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    const want = buffer.length - length;
    const n = readSync(fd, buffer, length, want, null);
    length += n;
    if (n === 0 || (n < want && length === statSize)) return { ok: true, bytes: buffer.subarray(0, length), stats };
  }
}

export type OwnFileRead = { ok: true; bytes: Buffer } | { ok: false; missing: boolean; problem: string };

/**
 * A small file argosctl itself writes (a folder's lock, a generated key) in a folder whose contents a
 * pull request may have committed: opened without following a link or waiting on a FIFO, a regular
 * file of at most `maxBytes`, read whole. `onOpened` sees the open descriptor first (to refuse it with
 * a problem of its own, or to close it to other users) and is never handed another file.
 */
export function readOwnSmallFile(
  file: string,
  maxBytes: number,
  onOpened?: (fd: number, stats: Stats) => string | undefined,
): OwnFileRead {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = errno(err);
    if (code === 'ENOENT') return { ok: false, missing: true, problem: 'does not exist' };
    return { ok: false, missing: false, problem: code === 'ELOOP' ? 'is a link' : `cannot be read (${code})` };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile())
      return { ok: false, missing: false, problem: stats.isDirectory() ? 'is a folder' : 'is not a regular file' };
    const refused = onOpened?.(fd, stats);
    if (refused) return { ok: false, missing: false, problem: refused };
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, length);
      if (n === 0) break;
      length += n;
    }
    if (length > maxBytes) return { ok: false, missing: false, problem: `is larger than ${maxBytes} bytes` };
    return { ok: true, bytes: buffer.subarray(0, length) };
  } finally {
    closeSync(fd);
  }
}

/**
 * A file a user names on the command line (`tokens import FILE`, key files, `transmit --in`, a saved
 * plan): its bytes, or a one-line UserError naming `what` and the path (escaped), never the contents.
 */
export function readUserFile(file: string, maxBytes: number, what: string, hint?: string): Buffer {
  const read = readRegularFile(file, maxBytes);
  if (read.ok) return read.bytes;
  const size = read.rule === 'files.too-large' ? `; at most ${maxBytes.toLocaleString('en')} bytes` : '';
  const fallback =
    read.rule === 'files.missing'
      ? `check the path (a relative one starts at ${escapeText(process.cwd())})`
      : `a regular file${size ? ` of at most ${maxBytes.toLocaleString('en')} bytes` : ''}`;
  throw new UserError(`${what} "${escapeText(file)}" ${read.problem}${size}`, hint ?? fallback);
}

/** "1 byte", "2,048 bytes". */
function byteCount(n: number): string {
  return `${n.toLocaleString('en')} byte${n === 1 ? '' : 's'}`;
}
