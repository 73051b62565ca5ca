// What a manifest file's checked result depends on, as one digest: its bytes, its path below the
// manifest root, argosctl.yaml (regions, allow rules) and argosctl's own version. The files a
// document reads besides itself (the secure-transmission public key) are kept apart as
// ManifestRead entries and hashed again before anything is skipped: a changed PEM next to an
// unchanged manifest must not be skipped.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ARGOSCTL_VERSION } from '../version.js';
import type { ManifestFile } from './load-files.js';
import { MAX_PUBLIC_KEY_BYTES } from './public-key-file.js';
import { readInsideRoot } from './safe-read.js';

/** Raised whenever what a skip relies on changes meaning (checks, normalization, key layout). */
const SOURCE_KEY_FORMAT = 'argosctl-source/1';

/** A file a document read: the path as the manifest wrote it (relative to the manifest) and its bytes' sha256. */
export interface ManifestRead {
  written: string;
  sha256: string;
}

/** A project's checked source: what apply records and what a later run compares. */
export interface ProjectSource {
  /** sourceKey of the file that declares the project. */
  key: string;
  /** How many projects that file declares: a file is skipped only when all of them are. */
  fileProjects: number;
  reads: ManifestRead[];
}

export const hashBytes = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** `configDigest`: hashBytes of argosctl.yaml, or '' without one; `relative`: the file's path below the root. */
export function sourceKey(configDigest: string, relative: string, fileDigest: string): string {
  const key = [SOURCE_KEY_FORMAT, ARGOSCTL_VERSION, configDigest, relative.split(path.sep).join('/'), fileDigest].join(
    '\0',
  );
  return `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/** True when every file the documents read still holds the bytes they held (read with the same rules). */
export function readsUnchanged(entry: ManifestFile, reads: readonly ManifestRead[]): boolean {
  return reads.every((r) => {
    if (path.isAbsolute(r.written)) return false;
    const read = readInsideRoot(
      entry.root,
      path.resolve(path.dirname(entry.full), r.written),
      MAX_PUBLIC_KEY_BYTES,
      entry.folders,
    );
    return read.ok && hashBytes(read.bytes) === r.sha256;
  });
}

/**
 * Decides whether a file can be skipped: the ids it declares (all known clean and, for a
 * database, unchanged since apply), or undefined to read and check it.
 */
export type SkipOracle = (entry: ManifestFile, key: string) => readonly string[] | undefined;
