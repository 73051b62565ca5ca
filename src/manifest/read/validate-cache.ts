// validate's memory of files it found valid, so an unchanged file is hashed, not parsed again, and
// of how each file looked on disk when read (read/file-signatures.ts), so one that still looks so
// is not even read.
// It lives in the user's cache folder ($XDG_CACHE_HOME/argosctl, else ~/.cache/argosctl), never in
// the repository or the manifest folder, where a pull request could write a forged one. Only valid
// files are remembered, with their warnings (shown again when the file is skipped); a cache that cannot be read or makes no sense is
// ignored, and one that cannot be written is left as it was: it only ever saves time.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../util/atomic-write.js';
import type { ManifestSet } from '../manifest-set.js';
import { realRoot } from './safe-read.js';
import { skipOracle } from './skip-unchanged.js';
import { isRecordedWarnings, type ManifestRead, type ProjectSource, type SkipOracle } from './source-key.js';
import { FileSignatureMemory, type RememberedFile } from './file-signatures.js';

// 2: entries carry their file's warnings (format 1 remembered clean files only).
// 3: each distinct list of warnings is written once and entries name it by its index (files written
// alike repeat the same warnings: more than half of a 10,000-file cache was the same four lists).
// 4: `files`, each file's signature and digest as last read.
const CACHE_FORMAT = 4;

interface CachedProject extends ProjectSource {
  id: string;
}

export interface ValidateCache {
  skip: SkipOracle;
  signatures: FileSignatureMemory;
  /** Remembers the valid files of `set` (with their warnings); `partial`: only some files were read, keep the others' entries. */
  save(set: ManifestSet, partial: boolean): void;
}

export function cacheFolder(env: NodeJS.ProcessEnv): string | undefined {
  if (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)) return path.join(env.XDG_CACHE_HOME, 'argosctl');
  return env.HOME && path.isAbsolute(env.HOME) ? path.join(env.HOME, '.cache', 'argosctl') : undefined;
}

/** Writes one of validate's files, private to the user; a read-only or full cache folder costs time, never a result. */
export function writeCacheFile(file: string, text: string): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileAtomic(file, text, 0o600);
  } catch {
    // the next run reads the files again
  }
}

/** validate's file `validate-<root>.<ending>` for the manifest folder `dir`, or undefined without a cache folder or folder. */
export function cacheFileOf(env: NodeJS.ProcessEnv, dir: string, ending: string): string | undefined {
  const folder = cacheFolder(env);
  const root = realRoot(dir);
  if (!folder || !root) return undefined;
  return path.join(folder, `validate-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.${ending}`);
}

const isRead = (r: unknown): r is ManifestRead =>
  typeof r === 'object' &&
  r !== null &&
  typeof (r as ManifestRead).written === 'string' &&
  typeof (r as ManifestRead).sha256 === 'string';

/** An entry as written: its warnings by their index in the file's list of distinct warning lists. */
type StoredProject = Omit<CachedProject, 'warnings'> & { warnings?: number };

const isStored = (r: unknown, warningLists: number): r is StoredProject => {
  const c = r as StoredProject;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.id === 'string' &&
    typeof c.key === 'string' &&
    Number.isInteger(c.fileProjects) &&
    Array.isArray(c.reads) &&
    c.reads.every(isRead) &&
    (c.warnings === undefined || (Number.isInteger(c.warnings) && c.warnings >= 0 && c.warnings < warningLists)) &&
    (c.lintIgnores === undefined || (Array.isArray(c.lintIgnores) && c.lintIgnores.every((r) => typeof r === 'string')))
  );
};

interface Loaded {
  projects: CachedProject[];
  files: Map<string, RememberedFile>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** `files` as written: path from the manifest root → [signature, sha256]. */
function filesOf(value: unknown): Map<string, RememberedFile> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const files = new Map<string, RememberedFile>();
  for (const [name, entry] of Object.entries(value)) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'string') return undefined;
    if (!SHA256_HEX.test(entry[1])) return undefined;
    files.set(name, { signature: entry[0], digest: entry[1] });
  }
  return files;
}

const EMPTY: Loaded = { projects: [], files: new Map() };

function load(file: string): Loaded {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as {
      format?: unknown;
      warnings?: unknown;
      projects?: unknown;
      files?: unknown;
    };
    const lists = parsed.warnings;
    const files = filesOf(parsed.files);
    if (
      parsed.format !== CACHE_FORMAT ||
      !files ||
      !Array.isArray(lists) ||
      !lists.every(isRecordedWarnings) ||
      !Array.isArray(parsed.projects) ||
      !parsed.projects.every((p) => isStored(p, lists.length))
    )
      return EMPTY;
    // The lists are shared by the entries that name them: read, never changed.
    const projects = (parsed.projects as StoredProject[]).map(({ warnings, ...rest }) =>
      warnings === undefined ? rest : { ...rest, warnings: lists[warnings] },
    );
    return { projects, files };
  } catch {
    return EMPTY;
  }
}

/** The cache file's text: each distinct warning list once, entries naming theirs by index. */
function cacheText(projects: readonly CachedProject[], files: ReadonlyMap<string, RememberedFile>): string {
  const lists: unknown[] = [];
  const indexOf = new Map<string, number>();
  const stored = projects.map(({ warnings, ...rest }): StoredProject => {
    if (warnings === undefined) return rest;
    const text = JSON.stringify(warnings);
    let index = indexOf.get(text);
    if (index === undefined) {
      index = lists.push(warnings) - 1;
      indexOf.set(text, index);
    }
    return { ...rest, warnings: index };
  });
  const signatures = Object.fromEntries([...files].map(([name, f]) => [name, [f.signature, f.digest]]));
  return JSON.stringify({ format: CACHE_FORMAT, warnings: lists, projects: stored, files: signatures });
}

/** The cache of the manifest folder `dir` (one file per folder), or undefined without a cache folder. */
export function openValidateCache(env: NodeJS.ProcessEnv, dir: string): ValidateCache | undefined {
  const file = cacheFileOf(env, dir, 'json');
  if (!file) return undefined;
  const { projects: before, files } = load(file);
  const recall = skipOracle(before.map((p) => [p.id, p]));
  const signatures = new FileSignatureMemory(files);
  const skippedKeys = new Set<string>();
  return {
    skip: (entry, key) => {
      const ids = recall(entry, key);
      if (ids) skippedKeys.add(key);
      return ids;
    },
    signatures,
    save(set, partial) {
      const problems = new Set(set.diagnostics.filter((d) => d.severity === 'error').map((d) => d.file));
      const skippedIds = new Set(set.unchanged.map((u) => u.id));
      const kept = before.filter(
        (p) => (skippedKeys.has(p.key) && skippedIds.has(p.id)) || (partial && !skippedKeys.has(p.key)),
      );
      const fresh = set.projects
        .filter((p) => p.source && !problems.has(p.file))
        .map((p) => ({ id: p.settings.id, ...p.source! }));
      const remembered = signatures.remembered(partial);
      // Every file skipped as remembered, nothing new: the cache already says all it would (no 3 MB to serialise).
      if (fresh.length === 0 && kept.length === before.length && sameFiles(remembered, files)) return;
      const seen = new Set<string>();
      const projects = [...fresh, ...kept].filter(
        (p) => !seen.has(`${p.key}\0${p.id}`) && seen.add(`${p.key}\0${p.id}`),
      );
      const text = cacheText(projects, remembered);
      if (projects.length === before.length && text === cacheText(before, files)) return;
      writeCacheFile(file, text);
    },
  };
}

function sameFiles(a: ReadonlyMap<string, RememberedFile>, b: ReadonlyMap<string, RememberedFile>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, f] of a) {
    const other = b.get(name);
    if (other?.signature !== f.signature || other.digest !== f.digest) return false;
  }
  return true;
}
