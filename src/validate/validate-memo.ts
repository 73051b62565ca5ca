// validate's answer for a manifest folder nobody has changed since the last run: the same files
// (each as it looked when read: read/file-signatures.ts), the same argosctl.yaml and public key
// files (hashed again), the same argosctl, run from the same folder (problems name files as seen
// from there). Then the problems found last time are the problems, and no manifest is read.
// One small file beside validate's cache (read/validate-cache.ts), in the user's cache folder.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { configAbove } from '../config/find-config.js';
import type { Diagnostic } from '../manifest/diagnostic.js';
import type { ManifestSet } from '../manifest/manifest-set.js';
import { hashBytes } from '../manifest/read/source-key.js';
import { type FileSignatureMemory, statSignature } from '../manifest/read/file-signatures.js';
import { MAX_FILE_BYTES, type ManifestFile } from '../manifest/read/load-files.js';
import { readInsideRoot, realRoot } from '../manifest/read/safe-read.js';
import { cacheFileOf, writeCacheFile } from '../manifest/read/validate-cache.js';
import { MAX_PUBLIC_KEY_BYTES } from '../manifest/check/public-key-file.js';
import { ARGOSCTL_VERSION } from '../version.js';

const MEMO_FORMAT = 2;

/**
 * What the answer depends on besides the files: argosctl's version, Node's (its ICU and YAML
 * libraries' behaviour), and the locale names and problems are sorted in (compareText: the
 * listing's order decides which of two files declaring one id is named first).
 */
const RUNTIME = `${ARGOSCTL_VERSION} node ${process.version} ${new Intl.Collator().resolvedOptions().locale}`;

/** What validate reports, whether found now or remembered. */
export interface ValidateAnswer {
  fileCount: number;
  projects: number;
  configFile?: string;
  diagnostics: Diagnostic[];
}

/** A diagnostic as written: its template's index (every field but the place, in its order), file, line, column. */
type StoredDiagnostic = [number, string, number, number];
type Template = [string, unknown][];

interface Memo {
  format: number;
  version: string;
  cwd: string;
  dir: string;
  /** argosctl.yaml read (at the root or above it) and its bytes' sha256; null: none. */
  config: [string, string] | null;
  /** Every listed file, by its path from the root: its signature when read. */
  files: Record<string, string>;
  /** The other files the documents read (public keys), by full path: their sha256. */
  reads: Record<string, string>;
  answer: {
    fileCount: number;
    projects: number;
    configFile?: string;
    templates: Template[];
    diagnostics: StoredDiagnostic[];
  };
}

const PLACE = new Set(['file', 'line', 'column']);

function storedDiagnostics(diagnostics: readonly Diagnostic[]) {
  const templates: Template[] = [];
  const indexOf = new Map<string, number>();
  const rows = diagnostics.map((d): StoredDiagnostic => {
    // Key order kept: --format json prints the diagnostics as they were made.
    // A field left undefined is not printed: it is not kept either (JSON would make it null).
    const template: Template = Object.entries(d)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, PLACE.has(k) ? null : v]);
    const text = JSON.stringify(template);
    let index = indexOf.get(text);
    if (index === undefined) {
      index = templates.push(template) - 1;
      indexOf.set(text, index);
    }
    return [index, d.file, d.line, d.column];
  });
  return { templates, diagnostics: rows };
}

function diagnosticsOf(templates: Template[], rows: StoredDiagnostic[]): Diagnostic[] {
  return rows.map(([index, file, line, column]) => {
    const d: Record<string, unknown> = {};
    for (const [k, v] of templates[index])
      d[k] = k === 'file' ? file : k === 'line' ? line : k === 'column' ? column : v;
    return d as unknown as Diagnostic;
  });
}

const isStringRecord = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((s) => typeof s === 'string');

/** The file's text: the sha256 of the memo's JSON on the first line, so a damaged file is never trusted. */
const memoText = (memo: Memo) => {
  const json = JSON.stringify(memo);
  return `${hashBytes(Buffer.from(json))}\n${json}`;
};

/** A memo as read back, or undefined when it is not one this argosctl wrote (never trusted half-way). */
function parseMemo(text: string): Memo | undefined {
  const newline = text.indexOf('\n');
  const json = text.slice(newline + 1);
  if (newline !== 64 || hashBytes(Buffer.from(json)) !== text.slice(0, newline)) return undefined;
  const m = JSON.parse(json) as Memo;
  const a = m?.answer;
  const ok =
    m.format === MEMO_FORMAT &&
    typeof m.version === 'string' &&
    typeof m.cwd === 'string' &&
    typeof m.dir === 'string' &&
    (m.config === null || (Array.isArray(m.config) && m.config.every((s) => typeof s === 'string'))) &&
    isStringRecord(m.files) &&
    isStringRecord(m.reads) &&
    typeof a === 'object' &&
    a !== null &&
    Number.isInteger(a.fileCount) &&
    Number.isInteger(a.projects) &&
    (a.configFile === undefined || typeof a.configFile === 'string') &&
    Array.isArray(a.templates) &&
    a.templates.every((t) => Array.isArray(t) && t.every((p) => Array.isArray(p) && typeof p[0] === 'string')) &&
    Array.isArray(a.diagnostics) &&
    a.diagnostics.every(
      (r) =>
        Array.isArray(r) &&
        Number.isInteger(r[0]) &&
        r[0] >= 0 &&
        r[0] < a.templates.length &&
        typeof r[1] === 'string' &&
        Number.isInteger(r[2]) &&
        Number.isInteger(r[3]),
    );
  return ok ? m : undefined;
}

/** argosctl.yaml as checkManifests finds it (at the root, else above it naming it) and its sha256; null: none. */
function configNow(listing: readonly ManifestFile[], dir: string): [string, string] | null | undefined {
  const full = listing.find((f) => f.isConfig)?.full ?? configAbove(dir);
  if (!full) return null;
  const read = readInsideRoot(realRoot(path.dirname(full)) ?? path.dirname(full), full, MAX_FILE_BYTES);
  return read.ok ? [full, hashBytes(read.bytes)] : undefined;
}

export interface ValidateMemo {
  /** The last run's answer, when nothing it depends on has changed since; else undefined. */
  recall(listing: readonly ManifestFile[]): ValidateAnswer | undefined;
  /**
   * Remembers `answer`, found over `listing` by `read`, when every file was read long enough after
   * its last change to be remembered (`signatures`) and every other file could be read.
   */
  save(
    listing: readonly ManifestFile[],
    answer: ValidateAnswer,
    read: Pick<ManifestSet, 'configFile' | 'configDigest' | 'otherReads'>,
    signatures: FileSignatureMemory,
  ): void;
}

/** The memo of the manifest folder `dir` for runs from the working directory, or undefined without a cache folder. */
export function openValidateMemo(env: NodeJS.ProcessEnv, dir: string): ValidateMemo | undefined {
  const file = cacheFileOf(env, dir, 'answer.json');
  const root = realRoot(dir);
  if (!file || !root) return undefined;
  const cwd = process.cwd();
  const resolved = path.resolve(dir);
  return {
    recall(listing) {
      let memo: Memo | undefined;
      try {
        memo = parseMemo(readFileSync(file, 'utf8'));
      } catch {
        return undefined;
      }
      if (!memo || memo.version !== RUNTIME || memo.cwd !== cwd || memo.dir !== resolved) return undefined;
      if (listing.length !== Object.keys(memo.files).length) return undefined;
      for (const entry of listing) {
        const name = entry.fromRoot ?? '';
        const known = Object.hasOwn(memo.files, name) ? memo.files[name] : undefined;
        if (known === undefined || statSignature(entry) !== known) return undefined;
      }
      const config = configNow(listing, dir);
      if (config === undefined || JSON.stringify(config) !== JSON.stringify(memo.config)) return undefined;
      for (const [full, digest] of Object.entries(memo.reads)) {
        const read = readInsideRoot(root, full, MAX_PUBLIC_KEY_BYTES, listing[0]?.folders);
        if (!read.ok || hashBytes(read.bytes) !== digest) return undefined;
      }
      const { templates, diagnostics, ...counts } = memo.answer;
      return { ...counts, diagnostics: diagnosticsOf(templates, diagnostics) };
    },
    save(listing, answer, read, signatures) {
      const seen = signatures.remembered(false);
      const files = new Map<string, string>();
      for (const entry of listing) {
        const known = seen.get(entry.fromRoot ?? '');
        if (!known) return; // read too soon after a change to be remembered, or not a regular file
        files.set(entry.fromRoot!, known.signature);
      }
      if ([...read.otherReads.values()].includes(null)) return;
      const config: Memo['config'] = read.configFile ? [read.configFile, read.configDigest] : null;
      const memo: Memo = {
        format: MEMO_FORMAT,
        version: RUNTIME,
        cwd,
        dir: resolved,
        config,
        files: Object.fromEntries(files),
        reads: Object.fromEntries(read.otherReads) as Record<string, string>,
        answer: {
          fileCount: answer.fileCount,
          projects: answer.projects,
          ...(answer.configFile === undefined ? {} : { configFile: answer.configFile }),
          ...storedDiagnostics(answer.diagnostics),
        },
      };
      writeCacheFile(file, memoText(memo));
    },
  };
}
