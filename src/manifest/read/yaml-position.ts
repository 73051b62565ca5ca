// Maps a path inside a parsed YAML document back to file:line:column.
import { isMap, isSeq, isScalar, type Document, type LineCounter, type Node } from 'yaml';
import { UNSURE, type DocumentPositions } from './line-index.js';

export interface ParsedDocument {
  file: string;
  /** Index of the document inside a multi-document file. */
  index: number;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  value: unknown;
  /** The whole file's text (shared by its documents). */
  text: string;
  /**
   * Set by the fast path (fast-yaml.ts): positions from its line index without `doc`, which is then
   * parsed only by what needs the syntax tree itself (or when the index answers UNSURE).
   */
  positions?: DocumentPositions;
  /** Set by the fast path (fast-yaml.ts), which ran the hostile-value walk on the plain values already. */
  hostileChecked?: boolean;
  /**
   * Set on a document of an older manifest version whose `value` was upgraded to the current one
   * (see upgradedView): where a path of the upgraded value was written in the file.
   */
  sourcePath?: (path: readonly (string | number)[]) => (string | number)[];
}

/** The path as the file writes it (a v1 file writes spec.encryption.methods as spec.encryption.method). */
export function pathInFile(parsed: ParsedDocument, path: readonly (string | number)[]): (string | number)[] {
  return parsed.sourcePath ? parsed.sourcePath(path) : [...path];
}

/**
 * The document seen through its upgraded value: everything else (text, positions, parsed on
 * demand on the fast path) is the original's, and positions are looked up where the file wrote them.
 */
export function upgradedView(
  parsed: ParsedDocument,
  value: unknown,
  sourcePath: NonNullable<ParsedDocument['sourcePath']>,
): ParsedDocument {
  // A new object reading through to the original (whose getters parse on demand), not one with the
  // original as prototype: making each document a prototype costs V8 a new hidden class per file.
  // `positions` only when the original has it (setting-locator.ts keeps only fast-path documents).
  const { file, index, text, hostileChecked } = parsed;
  const view: ParsedDocument = {
    file,
    index,
    text,
    hostileChecked,
    value,
    sourcePath,
    get doc() {
      return parsed.doc;
    },
    get lineCounter() {
      return parsed.lineCounter;
    },
  };
  if ('positions' in parsed)
    Object.defineProperty(view, 'positions', { get: () => parsed.positions, enumerable: true });
  return view;
}

type Range = [number, number, number] | undefined | null;

function findChild(node: unknown, seg: string | number): { key?: Node; value?: Node } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
    return pair ? { key: pair.key as Node, value: pair.value as Node } : undefined;
  }
  if (isSeq(node) && typeof seg === 'number') {
    const item = node.items[seg] as Node | undefined;
    return item ? { value: item } : undefined;
  }
  return undefined;
}

/** Line and column (1-based) of the deepest node along `path`; `atKey` points at the key itself. */
export function locate(
  parsed: ParsedDocument,
  path: readonly (string | number)[],
  atKey = false,
): { line: number; column: number } {
  const { line, column } = locatePath(parsed, path, atKey);
  return { line, column };
}

/** As `locate`, and whether the whole path is in the document (`found: false`: the position is its deepest ancestor's). */
export function locatePath(
  parsed: ParsedDocument,
  wanted: readonly (string | number)[],
  atKey = false,
): { line: number; column: number; found: boolean } {
  const path = pathInFile(parsed, wanted);
  const positions = parsed.positions;
  const indexed = positions && indexedPosition(positions, path, atKey);
  if (indexed) return indexed;
  let node: unknown = parsed.doc.contents;
  let range: Range = (node as Node | null)?.range;
  let depth = 0;
  for (; depth < path.length; depth++) {
    const child = findChild(node, path[depth]);
    if (!child) break;
    const last = depth === path.length - 1;
    const target = last && atKey && child.key ? child.key : (child.value ?? child.key);
    if (target?.range) range = target.range;
    node = child.value;
  }
  const offset = range ? range[0] : 0;
  const pos = parsed.lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col, found: depth === path.length };
}

/** locatePath over a line index: the deepest node of `path` that the document holds; undefined when the index is unsure. */
function indexedPosition(
  positions: DocumentPositions,
  path: readonly (string | number)[],
  atKey: boolean,
): { line: number; column: number; found: boolean } | undefined {
  // A path the document holds is answered by one question: its ancestors were all read before it.
  const whole = path.length ? positions.start(path, atKey) : undefined;
  if (whole === UNSURE) return undefined;
  if (whole !== undefined) {
    const pos = positions.linePos(whole);
    return { line: pos.line, column: pos.col, found: true };
  }
  const root = positions.start([], false);
  if (root === UNSURE) return undefined;
  let offset = root ?? 0;
  let depth = 0;
  for (; depth < path.length; depth++) {
    const at = positions.start(path.slice(0, depth + 1), atKey && depth === path.length - 1);
    if (at === UNSURE) return undefined;
    if (at === undefined) break;
    offset = at;
  }
  const pos = positions.linePos(offset);
  return { line: pos.line, column: pos.col, found: depth === path.length };
}
