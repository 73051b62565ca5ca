// What a manifest file's checked result depends on, as one digest: its bytes, its path below the
// manifest root, argosctl.yaml (regions, allow rules) and argosctl's own version. The files a
// document reads besides itself (the secure-transmission public key) are kept apart as
// ManifestRead entries and hashed again before anything is skipped: a changed PEM next to an
// unchanged manifest must not be skipped.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ARGOSCTL_VERSION } from '../../version.js';
import type { Diagnostic } from '../diagnostic.js';
import type { ManifestFile } from './load-files.js';
import { MAX_PUBLIC_KEY_BYTES } from '../check/public-key-file.js';
import { readInsideRoot } from './safe-read.js';

/** Raised whenever what a skip relies on changes meaning (checks, normalization, key layout). */
const SOURCE_KEY_FORMAT = 'argosctl-source/1';

/** A file a document read: the path as the manifest wrote it (relative to the manifest) and its bytes' sha256. */
export interface ManifestRead {
  written: string;
  sha256: string;
}

/** A warning validation found in a project's document, as recorded (the file is the one that declares it). */
export type RecordedWarning = Pick<Diagnostic, 'rule' | 'line' | 'column' | 'path' | 'message' | 'allowed' | 'hint'>;

/** A project's checked source: what apply records and what a later run compares. */
export interface ProjectSource {
  /** sourceKey of the file that declares the project. */
  key: string;
  /** How many projects that file declares: a file is skipped only when all of them are. */
  fileProjects: number;
  reads: ManifestRead[];
  /**
   * What validation concluded beyond "valid": the document's warnings, positions included, shown
   * again when the file is skipped; absent in records made before warnings were recorded (clean).
   */
  warnings?: RecordedWarning[];
  /** The lint rules the document ignores (`lint.ignore`), as it wrote them. */
  lintIgnores?: string[];
}

/** The warning as it is recorded: everything but its file and severity (always `warning`). */
export function recordWarning(d: Diagnostic): RecordedWarning {
  const { rule, line, column, path, message, allowed, hint } = d;
  return {
    rule,
    line,
    column,
    path,
    message,
    ...(allowed === undefined ? {} : { allowed }),
    ...(hint === undefined ? {} : { hint }),
  };
}

/** A recorded warning shown again, at the file that declares it now. */
export function recordedDiagnostic(file: string, w: RecordedWarning): Diagnostic {
  return {
    severity: 'warning',
    rule: w.rule,
    file,
    line: w.line,
    column: w.column,
    path: w.path,
    message: w.message,
    ...(w.allowed === undefined ? {} : { allowed: w.allowed }),
    ...(w.hint === undefined ? {} : { hint: w.hint }),
  };
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** True when `value` is a list of recorded warnings (records read back are checked before use). */
export function isRecordedWarnings(value: unknown): value is RecordedWarning[] {
  return (
    Array.isArray(value) &&
    value.every((w) => {
      const r = w as RecordedWarning;
      return (
        typeof r === 'object' &&
        r !== null &&
        isString(r.rule) &&
        isString(r.path) &&
        isString(r.message) &&
        Number.isInteger(r.line) &&
        Number.isInteger(r.column) &&
        (r.allowed === undefined || isString(r.allowed)) &&
        (r.hint === undefined || isString(r.hint))
      );
    })
  );
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
  return reads.every((r) => !path.isAbsolute(r.written) && readDigest(entry, r.written) === r.sha256);
}

/** sha256 of a file a document names (relative to it), read once per listing; null when it may not be read. */
function readDigest(entry: ManifestFile, written: string): string | null {
  const full = path.resolve(path.dirname(entry.full), written);
  const known = entry.folders?.readDigests.get(full);
  if (known !== undefined) return known;
  const read = readInsideRoot(entry.root, full, MAX_PUBLIC_KEY_BYTES, entry.folders);
  const digest = read.ok ? hashBytes(read.bytes) : null;
  entry.folders?.readDigests.set(full, digest);
  return digest;
}

/** A project of a skipped file: its id and what validation concluded about it when recorded. */
export interface SkippedProject {
  id: string;
  source: ProjectSource;
}

/**
 * Decides whether a file can be skipped: the projects it declares (all known valid and, for a
 * database, unchanged since apply), or undefined to read and check it.
 */
export type SkipOracle = (entry: ManifestFile, key: string) => readonly SkippedProject[] | undefined;
