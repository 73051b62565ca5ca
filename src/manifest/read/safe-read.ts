// Reading a file a pull request controls: only regular files whose real path stays inside the
// manifest root, size checked before reading and the read itself capped, so a link to a secret,
// /proc/self/environ, /dev/zero or a FIFO is refused without a byte of it being read.
// The reading itself is src/util/safe-read.ts, shared with every other file argosctl reads.
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { isInside, readRegularFile, type ReadShortcuts, type SafeRead } from '../../util/safe-read.js';

export { isInside, type SafeRead };

/**
 * Real paths of folders, each resolved once per listing with one realpath(3) call
 * (realpathSync.native): JS realpathSync walks every parent of every file with an lstat each (8
 * statx calls a file on the skip path). A listing's own. A folder swapped for a link while the run
 * reads is followed (only a file's last component is opened without following links): that takes a
 * writer inside the checkout during the run, who could as well change argosctl itself.
 */
export class FolderRealPaths implements ReadShortcuts {
  private readonly known = new Map<string, string>();
  readonly pseudoDevices = new Map<number, boolean>();
  /** Files the listing saw as regular (readdir's file type), read without an lstat first. */
  readonly listedRegular = new Set<string>();
  /** sha256 of the other files the listing's documents read (a public key shared by a folder), once each; null: unreadable. */
  readonly readDigests = new Map<string, string | null>();
  /** Those files as read (1,000 manifests naming one shared key read it once), by root and path. */
  readonly otherReads = new Map<string, SafeRead>();

  /** The real path of `dir`; throws as realpathSync does. */
  of(dir: string): string {
    let real = this.known.get(dir);
    if (real === undefined) {
      real = realpathSync.native(dir);
      this.known.set(dir, real);
    }
    return real;
  }

  notLinkReal(full: string): string {
    return path.join(this.of(path.dirname(full)), path.basename(full));
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

/**
 * Reads `full` when it is a regular file of at most `maxBytes` inside `root` (a real path),
 * following a link only to such a file. Problems never quote the file's contents or a link's target.
 */
export function readInsideRoot(root: string, full: string, maxBytes: number, folders?: FolderRealPaths): SafeRead {
  return readRegularFile(full, maxBytes, root, folders);
}
