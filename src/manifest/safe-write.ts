// Writing back a file a pull request controls (fmt): only a regular file whose real path stays
// inside the manifest root, replaced atomically at that real path, so a link is never written
// through to somewhere else and is itself kept.
import { lstatSync, realpathSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-write.js';
import { isInside } from './read/safe-read.js';

export type SafeWrite = { ok: true } | { ok: false; problem: string };

export function writeInsideRoot(root: string, full: string, text: string): SafeWrite {
  let real: string;
  try {
    real = realpathSync(full);
  } catch (err) {
    return { ok: false, problem: `cannot be written (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  if (!isInside(root, real)) return { ok: false, problem: 'leads outside the manifest root; not written' };
  const stats = lstatSync(real);
  if (!stats.isFile()) return { ok: false, problem: 'is not a regular file; not written' };
  writeFileAtomic(real, text, stats.mode & 0o7777);
  return { ok: true };
}
