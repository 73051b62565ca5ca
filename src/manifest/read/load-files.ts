// Stage 1 of validation: find manifest files, read them safely, parse YAML keeping positions.
import { readdirSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { Diagnostic } from '../diagnostic.js';
import { escapeText } from '../excerpt.js';
import { fastParseDocuments } from './fast-yaml.js';
import { FolderRealPaths, readInsideRoot, realRoot } from './safe-read.js';
import type { ParsedDocument } from './yaml-position.js';
import { parserMessage, yamlProblems } from './yaml-problems.js';
import { LIMITS, MAX_ALIAS_COUNT, shown } from '../limits.js';
import { compareText } from '../../util/compare-text.js';

export const MAX_FILE_BYTES = LIMITS.fileBytes;
export const CONFIG_FILE = 'argosctl.yaml';

export interface ManifestFile {
  /** Path as shown to users (relative to the working directory). */
  file: string;
  full: string;
  /** argosctl.yaml at the manifest root. */
  isConfig: boolean;
  /** Path from the manifest root (path.relative of `full`), when the listing knows it. */
  fromRoot?: string;
  /** Real path of the manifest root: every read must stay below it. */
  root: string;
  /** The listing's folder real paths, shared by its files (safe-read.ts). */
  folders?: FolderRealPaths;
}

const isLinkToFolder = (full: string) => {
  try {
    return statSync(full).isDirectory();
  } catch {
    return false; // a dangling link that is not named *.yaml is not a manifest
  }
};

/** A listed file: its absolute path, its path from the working directory (as shown to users) and from the root. */
interface Listed {
  full: string;
  file: string;
  fromRoot: string;
}

/**
 * Every *.yaml / *.yml entry whatever its type (reading decides whether it may be read), plus
 * links to folders, which are never followed and so must be reported rather than silently skipped.
 * Dot-folders (.git, .github, …) and node_modules are never walked. The shown path is the folder's,
 * found once per folder (path.relative per file is most of a 100,000-file listing), plus the name.
 */
function listYamlFiles(root: string, dir: string, regular: Set<string>, out: Listed[] = []): Listed[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  const shownDir = path.relative(process.cwd(), dir);
  const dirFromRoot = path.relative(root, dir);
  const under = (folder: string, name: string) => (folder ? `${folder}${path.sep}${name}` : name);
  for (const entry of entries.sort((a, b) => compareText(a.name, b.name))) {
    if (out.length > LIMITS.filesPerRun) return out; // the caller reports the bound; no need to walk on
    const full = path.join(dir, entry.name);
    const skipped = entry.name.startsWith('.') || entry.name === 'node_modules';
    if (entry.isDirectory()) {
      if (!skipped) listYamlFiles(root, full, regular, out);
    } else if (/\.ya?ml$/i.test(entry.name) || (entry.isSymbolicLink() && !skipped && isLinkToFolder(full))) {
      out.push({ full, file: under(shownDir, entry.name), fromRoot: under(dirFromRoot, entry.name) });
      if (entry.isFile()) regular.add(full);
    }
  }
  return out;
}

function fileProblem(file: string, rule: string, message: string, allowed?: string, line = 1, column = 1): Diagnostic {
  return { severity: 'error', rule, file, line, column, path: '(file)', message, allowed };
}

/** Offset of the first byte that does not begin a valid UTF-8 sequence, or -1. */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const need =
      b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0 || i + need >= bytes.length) return i; // bad lead byte, or a sequence cut off at the end
    for (let k = 1; k <= need; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    if (need > 0) {
      const cp =
        need === 1
          ? 0
          : need === 2
            ? ((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6)
            : ((b & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12);
      if (need === 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) return i; // overlong or surrogate
      if (need === 3 && (cp < 0x10000 || cp > 0x10ffff)) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** A UTF-16 byte order mark, or ASCII text with every other byte NUL (UTF-16 without a mark). */
function isUtf16(bytes: Buffer): boolean {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)))
    return true;
  const sample = bytes.subarray(0, Math.min(bytes.length, 64) & ~1);
  if (sample.length < 4) return false;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < sample.length; i += 2) {
    if (sample[i] === 0) even++;
    if (sample[i + 1] === 0) odd++;
  }
  const half = sample.length / 2;
  return (even === half && odd === 0) || (odd === half && even === 0);
}

function firstInvalidUtf8(bytes: Buffer): { line: number; column: number } | undefined {
  const offset = invalidUtf8Offset(bytes);
  if (offset < 0) return undefined;
  const lines = bytes.subarray(0, offset).toString('utf8').split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

export function parseYamlText(file: string, text: string, diagnostics: Diagnostic[]): ParsedDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const list = Array.isArray(docs) ? docs : [];
  const out: ParsedDocument[] = [];
  list.forEach((doc, index) => {
    const problems = yamlProblems(file, text, doc, lineCounter);
    diagnostics.push(...problems);
    if (problems.length > 0) return;
    if (doc.contents === null) return; // an empty document between separators
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      const pos = lineCounter.linePos(doc.contents.range?.[0] ?? 0);
      const message = parserMessage((err as Error).message);
      diagnostics.push(
        /^Unresolved alias/.test(message)
          ? {
              severity: 'error',
              rule: 'yaml.syntax',
              file,
              line: pos.line,
              column: pos.col,
              path: '(document)',
              message: `not valid YAML: ${message}`,
              allowed: 'an alias (*name) only after its anchor (&name)',
            }
          : {
              severity: 'error',
              rule: 'yaml.alias-bomb',
              file,
              line: pos.line,
              column: pos.col,
              path: '(document)',
              message: `aliases expand too far (${message})`,
              allowed: `at most ${MAX_ALIAS_COUNT} alias expansions per document`,
            },
      );
      return;
    }
    out.push({ file, index, doc, lineCounter, value, text });
  });
  return out;
}

/** Every *.yaml / *.yml below `dir`, in a stable order; a problem when `dir` is not a folder. */
export function listManifestFiles(dir: string): ManifestFile[] | Diagnostic {
  const root = path.resolve(dir);
  const real = realRoot(dir);
  if (!real) {
    return fileProblem(
      dir,
      'files.missing-dir',
      `manifest folder "${escapeText(dir)}" does not exist or is not a folder`,
      'an existing folder of *.yaml manifests (manifests: in argosctl.yaml, or --dir); to start one here, run `argosctl init`',
    );
  }
  const folders = new FolderRealPaths();
  const files = listYamlFiles(root, root, folders.listedRegular);
  if (files.length > LIMITS.filesPerRun) {
    return fileProblem(
      dir,
      'limits.files',
      `manifest folder "${escapeText(dir)}" holds more than ${shown(LIMITS.filesPerRun)} manifest files; nothing was read`,
      `at most ${shown(LIMITS.filesPerRun)} *.yaml files per run; split the folder or validate parts of it`,
    );
  }
  return files.map(({ full, file, fromRoot }) => ({
    file,
    full,
    fromRoot,
    isConfig: path.dirname(full) === root && path.basename(full) === CONFIG_FILE,
    root: real,
    folders,
  }));
}

const READ_ALLOWED: Record<string, string> = {
  'files.too-large': `at most ${MAX_FILE_BYTES} bytes (1 MiB); split it into several files`,
  'files.missing': 'a file that stays in place while argosctl reads it',
};

/** Reads one file safely (inside the root, size, encoding, emptiness) and parses its documents, keeping positions. */
export function readManifestFile(
  entry: ManifestFile,
  diagnostics: Diagnostic[],
): { bytes: Buffer; documents: ParsedDocument[] } {
  const bytes = readManifestBytes(entry, diagnostics)?.bytes;
  return { bytes: bytes ?? Buffer.alloc(0), documents: bytes ? parseManifestBytes(entry, bytes, diagnostics) : [] };
}

/** The file's bytes and the opened file's stats, or undefined (with a problem reported) when it may not be read. */
export function readManifestBytes(
  entry: ManifestFile,
  diagnostics: Diagnostic[],
): { bytes: Buffer; stats: Stats } | undefined {
  const { file } = entry;
  // sync: a local folder of small files reads faster than awaiting each
  const read = readInsideRoot(entry.root, entry.full, MAX_FILE_BYTES, entry.folders);
  if (read.ok) return read;
  diagnostics.push(
    fileProblem(
      file,
      read.rule,
      `${escapeText(file)} ${read.problem}`,
      READ_ALLOWED[read.rule] ??
        'a regular file inside the manifest root; a link must lead to such a file (links to folders are not followed)',
    ),
  );
  return undefined;
}

/** Checks the encoding of bytes read by readManifestBytes and parses their documents. */
export function parseManifestBytes(entry: ManifestFile, bytes: Buffer, diagnostics: Diagnostic[]): ParsedDocument[] {
  const { file } = entry;
  if (isUtf16(bytes)) {
    diagnostics.push(
      fileProblem(file, 'files.encoding', 'file is UTF-16 encoded', 'UTF-8 text: save the file as UTF-8'),
    );
    return [];
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad) {
    diagnostics.push(
      fileProblem(file, 'files.encoding', 'file is not valid UTF-8', 'UTF-8 text', bad.line, bad.column),
    );
    return [];
  }
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  // Counted before parsing: 149,000 empty documents must not become 149,000 parsed objects.
  const markers = countDocumentMarkers(text, LIMITS.documentsPerFile + 1);
  if (markers > LIMITS.documentsPerFile) {
    diagnostics.push(tooManyDocuments(file, `more than ${shown(LIMITS.documentsPerFile)} "---" document markers`));
    return [];
  }
  const fast = fastParseDocuments(file, text);
  if (fast) return fast.length > LIMITS.documentsPerFile ? documentsOverLimit(file, fast.length, diagnostics) : fast;
  const before = diagnostics.length;
  const documents = parseYamlText(file, text, diagnostics);
  if (documents.length > LIMITS.documentsPerFile) return documentsOverLimit(file, documents.length, diagnostics);
  if (documents.length === 0 && diagnostics.length === before) {
    diagnostics.push(
      fileProblem(
        file,
        'files.empty',
        'file holds no YAML document',
        'at least one document (apiVersion, kind, metadata, spec)',
      ),
    );
  }
  return documents;
}

/** `---` markers at the start of a line (each may begin a document), counting no further than `stop`. */
export function countDocumentMarkers(text: string, stop: number): number {
  let count = 0;
  for (let at = text.startsWith('---') ? 0 : text.indexOf('\n---'); at >= 0; at = text.indexOf('\n---', at + 1)) {
    const start = text[at] === '\n' ? at + 1 : at;
    const after = text[start + 3];
    if (after === undefined || after === ' ' || after === '\t' || after === '\n' || after === '\r') {
      if (++count >= stop) return count;
    }
  }
  return count;
}

function tooManyDocuments(file: string, what: string): Diagnostic {
  return fileProblem(
    file,
    'limits.documents',
    `file holds ${what}; it was not read further`,
    `at most ${shown(LIMITS.documentsPerFile)} documents per file; split it into several files`,
  );
}

function documentsOverLimit(file: string, count: number, diagnostics: Diagnostic[]): ParsedDocument[] {
  diagnostics.push(tooManyDocuments(file, `${shown(count)} documents`));
  return [];
}
