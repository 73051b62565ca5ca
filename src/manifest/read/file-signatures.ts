// validate's memory of how each file it read looked on disk (device, inode, size, modification and
// change times), as git's index keeps it: a file that still looks so holds the bytes it held, and
// its digest is taken from the memory instead of reading it again. Only validate uses it (kept in
// its cache, read/validate-cache.ts); plan and apply hash every file they act on.
// A change rewrites the modification and change times; the change time cannot be set back by the
// file's owner. But file systems keep times to a clock tick (some to 2 s), so a file changed just
// before or while it was read may show the times of the change before: such a file is not
// remembered, and the next run reads it.
import { lstatSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { ManifestFile } from './load-files.js';

/** Files whose times are this close to the run's start may change again without new times. */
const RACY_MS = 2_000;

/** The clock runs start by (tests move it to remember files they have just written). */
export const signatureClock = { now: () => Date.now() };

/** A file as last read: its signature (signatureOf) and its bytes' sha256. */
export interface RememberedFile {
  signature: string;
  digest: string;
}

export interface FileSignatures {
  /** The digest of the file's bytes, when it still looks as it did when read; undefined: read it. */
  recall(entry: ManifestFile): { digest: string; size: number } | undefined;
  /** The file was read: the opened file's stats (taken before its bytes were read) and their digest. */
  remember(entry: ManifestFile, stats: Stats, digest: string): void;
}

export const signatureOf = (stats: Stats) =>
  `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;

/** The file's stats, when the listing saw it as a regular file (not a link: lstat describes the file itself) and it still is one. */
function regularStats(entry: ManifestFile): Stats | undefined {
  if (!entry.folders?.listedRegular.has(entry.full)) return undefined;
  try {
    const stats = lstatSync(entry.full, { throwIfNoEntry: false });
    return stats?.isFile() ? stats : undefined;
  } catch {
    return undefined; // unreadable now: reading it names the problem
  }
}

/** The listed file's signature as it stands, or undefined when it is not a regular file the listing saw. */
export function statSignature(entry: ManifestFile): string | undefined {
  const stats = regularStats(entry);
  return stats && signatureOf(stats);
}

const fromRootOf = (entry: ManifestFile) => entry.fromRoot ?? path.relative(entry.root, entry.full);

/**
 * The memory of one run: what earlier runs remembered (path from the manifest root → file), and
 * what this run recalled or read, to be saved for the next.
 */
export class FileSignatureMemory implements FileSignatures {
  private readonly seen = new Map<string, RememberedFile>();

  constructor(
    private readonly known: ReadonlyMap<string, RememberedFile>,
    private readonly startedMs = signatureClock.now(),
  ) {}

  recall(entry: ManifestFile) {
    const name = fromRootOf(entry);
    const known = this.known.get(name);
    if (!known) return undefined;
    const stats = regularStats(entry);
    if (!stats || signatureOf(stats) !== known.signature) return undefined;
    this.seen.set(name, known);
    return { digest: known.digest, size: stats.size };
  }

  remember(entry: ManifestFile, stats: Stats, digest: string) {
    if (!entry.folders?.listedRegular.has(entry.full)) return;
    if (Math.max(stats.mtimeMs, stats.ctimeMs) >= this.startedMs - RACY_MS) return;
    this.seen.set(fromRootOf(entry), { signature: signatureOf(stats), digest });
  }

  /** What to save: the files this run recalled or read; with `partial` (some files only), the others' too. */
  remembered(partial: boolean): Map<string, RememberedFile> {
    return partial ? new Map([...this.known, ...this.seen]) : this.seen;
  }
}
