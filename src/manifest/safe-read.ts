// Reading a file a pull request controls: only regular files whose real path stays inside the
// manifest root, size checked before reading and the read itself capped, so a link to a secret,
// /proc/self/environ, /dev/zero or a FIFO is refused without a byte of it being read.
// The reading itself is src/util/safe-read.ts, shared with every other file argosctl reads.
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { isInside, readRegularFile, type SafeRead } from '../util/safe-read.js';

export { isInside, type SafeRead };

/** The real path of the manifest root, or undefined when it is not an existing folder. */
export function realRoot(dir: string): string | undefined {
  try {
    const real = realpathSync(path.resolve(dir));
    return statSync(real).isDirectory() ? real : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads `full` when it is a regular file of at most `maxBytes` inside `root` (a real path),
 * following a link only to such a file. Problems never quote the file's contents or a link's target.
 */
export function readInsideRoot(root: string, full: string, maxBytes: number): SafeRead {
  return readRegularFile(full, maxBytes, root);
}
