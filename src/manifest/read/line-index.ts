// Positions of the fast path's files without a second parse: one pass over the lines of a file
// that fast-yaml.ts accepted (block mappings and sequences, one-line scalars, one-line flow
// collections of plain scalars, anchored one-line values and aliases, comments, `---`), recording
// where each key and each value starts, exactly where `yaml` puts its nodes' ranges. Anything it is
// not sure of (an empty value, a layout it does not know) makes it answer undefined and the caller
// parses with `yaml` as before.

type Seg = string | number;

/** Where the nodes of one document start (offsets into the file's text). */
export interface DocumentPositions {
  /** Offset of the node at `path` (`atKey`: of its key), or undefined when the path is not in the document. */
  start(path: readonly Seg[], atKey: boolean): number | undefined;
  /** 1-based line and column of an offset, as `yaml`'s LineCounter gives them. */
  linePos(offset: number): { line: number; col: number };
}

/** Where nodes start, by path: their keys' offsets and their values' (plain numbers: no object per node). */
interface NodeStarts {
  key: Map<string, number>;
  value: Map<string, number>;
}

const segOf = (s: Seg) => (typeof s === 'number' ? `#${s}` : `:${s}`);
const segKey = (path: readonly Seg[]) => path.map(segOf).join('\0');
/** The key of `parent`'s child `seg`, built on the parent's key (no path arrays while reading). */
const childKey = (parent: string, seg: Seg) => (parent === '' ? segOf(seg) : `${parent}\0${segOf(seg)}`);

class Unsure extends Error {}

/** Keys of paths as segKey makes them: '' is the document itself. */
type PathKey = string;

type RecordStart = (path: PathKey, part: keyof NodeStarts, offset: number) => void;

interface Frame {
  kind: 'map' | 'seq';
  col: number;
  path: PathKey;
  items: number;
}

/** Where a value is still awaited: after `key:` at the end of a line, or after `- `. */
interface Pending {
  path: PathKey;
  minCol: number;
  /** A block sequence may sit at its parent key's own column (`key:\n- a`). */
  seqCol?: number;
}

const KEY_AT = /[A-Za-z_][A-Za-z0-9_./-]*:(?= |$)/y;

/** Positions of each document of `text`, or undefined when the text is outside what this reads with certainty. */
export function indexPositions(text: string): DocumentPositions[] | undefined {
  try {
    return readDocuments(text);
  } catch (err) {
    if (err instanceof Unsure) return undefined;
    throw err;
  }
}

function readDocuments(text: string): DocumentPositions[] {
  const lineStarts = [0];
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lineStarts.push(at + 1);
  const linePos = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - lineStarts[lo] + 1 };
  };
  const docs: DocumentPositions[] = [];
  let nodes: NodeStarts = { key: new Map(), value: new Map() };
  let stack: Frame[] = [];
  let pending: Pending | undefined = { path: '', minCol: 0 };
  const finish = () => {
    if (nodes.key.size + nodes.value.size === 0) return;
    if (pending) throw new Unsure();
    const found = nodes;
    docs.push({ start: (path, atKey) => startOf(found, path, atKey), linePos });
    nodes = { key: new Map(), value: new Map() };
    stack = [];
    pending = { path: '', minCol: 0 };
  };
  const record: RecordStart = (k, part, offset) => {
    nodes[part].set(k, offset);
  };
  const setValue = (path: PathKey, offset: number) => record(path, 'value', offset);
  const top = () => stack[stack.length - 1];

  const openItem = (col: number, offset: number): PathKey => {
    while (stack.length && top().col > col) stack.pop();
    const t = top();
    if (pending && (col >= pending.minCol || col === pending.seqCol)) {
      const frame: Frame = { kind: 'seq', col, path: pending.path, items: 0 };
      setValue(pending.path, offset);
      stack.push(frame);
      pending = undefined;
    } else if (!pending && t?.kind === 'seq' && t.col === col) {
      t.items++;
    } else throw new Unsure();
    const frame = top();
    return childKey(frame.path, frame.items);
  };

  const openKey = (col: number, offset: number, key: string): PathKey => {
    while (stack.length && (top().col > col || (top().kind === 'seq' && top().col === col && !pending))) stack.pop();
    const t = top();
    if (pending && col >= pending.minCol) {
      setValue(pending.path, offset);
      stack.push({ kind: 'map', col, path: pending.path, items: 0 });
      pending = undefined;
    } else if (pending || t?.kind !== 'map' || t.col !== col) throw new Unsure();
    const path = childKey(top().path, key);
    if (nodes.key.has(path) || nodes.value.has(path)) throw new Unsure();
    record(path, 'key', offset);
    return path;
  };

  for (let i = 0; i < lineStarts.length; i++) {
    const lineStart = lineStarts[i];
    const lineEnd = i + 1 < lineStarts.length ? lineStarts[i + 1] - 1 : text.length;
    const line = text.slice(lineStart, lineEnd);
    if (line === '---' || line === '...') {
      finish();
      continue;
    }
    let col = 0;
    while (line[col] === ' ') col++;
    if (col === line.length || line[col] === '#') continue;
    // An item path awaiting its content on this same line (after `- `).
    let itemPath: PathKey | undefined;
    while (line[col] === '-' && (line[col + 1] === ' ' || col + 1 === line.length)) {
      const path = openItem(col, lineStart + col);
      col++;
      while (line[col] === ' ') col++;
      itemPath = path;
      pending = { path, minCol: col };
    }
    KEY_AT.lastIndex = col;
    const key = KEY_AT.exec(line);
    if (key) {
      const path = openKey(col, lineStart + col, key[0].slice(0, -1));
      col += key[0].length;
      while (line[col] === ' ') col++;
      if (col === line.length || line[col] === '#') {
        pending = { path, minCol: top().col + 1, seqCol: top().col };
        continue;
      }
      readValue(line, col, lineStart, path, record);
    } else if (itemPath) {
      pending = undefined;
      readValue(line, col, lineStart, itemPath, record);
    } else throw new Unsure();
  }
  finish();
  return docs;
}

const ANCHOR_AT = /&[A-Za-z0-9_-]+ +/y;
const ALIAS_AT = /\*[A-Za-z0-9_-]+ *(?:#.*)?$/y;

/**
 * A one-line value at `col`: a scalar (only its start matters) or a flow collection, read in full.
 * An anchored value starts after its anchor, an alias at its `*`, as `yaml` places them; what lies
 * below an alias is not in the document (located at the alias, as `yaml` does).
 */
function readValue(line: string, col: number, lineStart: number, path: PathKey, record: RecordStart): void {
  ANCHOR_AT.lastIndex = col;
  if (ANCHOR_AT.test(line)) col = ANCHOR_AT.lastIndex;
  else if (line[col] === '&') throw new Unsure();
  if (line[col] === '*') {
    ALIAS_AT.lastIndex = col;
    if (!ALIAS_AT.test(line)) throw new Unsure();
    record(path, 'value', lineStart + col);
    return;
  }
  if (col === line.length || line[col] === '#') throw new Unsure();
  record(path, 'value', lineStart + col);
  if (line[col] === '{' || line[col] === '[') {
    const end = readFlow(line, col, lineStart, path, record);
    let rest = end;
    while (line[rest] === ' ') rest++;
    if (rest !== line.length && line[rest] !== '#') throw new Unsure();
  }
}

/** Reads a flow collection starting at `col`, recording its entries; returns the offset after it. */
function readFlow(line: string, col: number, lineStart: number, path: PathKey, record: RecordStart): number {
  const isMap = line[col] === '{';
  const close = isMap ? '}' : ']';
  let at = col + 1;
  let index = 0;
  const skip = () => {
    while (line[at] === ' ') at++;
  };
  const plainEnd = () => {
    const start = at;
    while (at < line.length && !',[]{}'.includes(line[at]) && !(line[at] === ':' && line[at + 1] === ' ')) at++;
    let end = at;
    while (end > start && line[end - 1] === ' ') end--;
    if (end === start) throw new Unsure();
    return line.slice(start, end);
  };
  // A quoted entry (fast-yaml.ts admits only whole ones): its text, unescaped as `yaml` reads it.
  const quotedEnd = () => {
    const quote = line[at];
    const start = at++;
    while (at < line.length) {
      if (quote === '"' && line[at] === '\\') at += 2;
      else if (quote === "'" && line[at] === "'" && line[at + 1] === "'") at += 2;
      else if (line[at] === quote) break;
      else at++;
    }
    if (line[at] !== quote) throw new Unsure();
    at++;
    const raw = line.slice(start, at);
    if (quote === "'") return raw.slice(1, -1).replaceAll("''", "'");
    try {
      return JSON.parse(raw) as string;
    } catch {
      throw new Unsure();
    }
  };
  const scalarEnd = () => (line[at] === '"' || line[at] === "'" ? quotedEnd() : plainEnd());
  const item = (itemPath: PathKey) => {
    skip();
    record(itemPath, 'value', lineStart + at);
    if (line[at] === '{' || line[at] === '[') at = readFlow(line, at, lineStart, itemPath, record);
    else scalarEnd();
  };
  for (;;) {
    skip();
    if (line[at] === close) return at + 1;
    if (isMap) {
      if (line[at] === '{' || line[at] === '[') throw new Unsure();
      const keyStart = at;
      const key = scalarEnd();
      skip();
      if (line[at] !== ':') throw new Unsure();
      at++;
      const itemPath = childKey(path, key);
      record(itemPath, 'key', lineStart + keyStart);
      skip();
      if (line[at] === ',' || line[at] === close) throw new Unsure();
      item(itemPath);
    } else {
      item(childKey(path, index++));
      if (line[at] === ':') throw new Unsure();
    }
    skip();
    if (line[at] === ',') at++;
    else if (line[at] !== close) throw new Unsure();
  }
}

function startOf(nodes: NodeStarts, path: readonly Seg[], atKey: boolean): number | undefined {
  const k = segKey(path);
  const key = nodes.key.get(k);
  return atKey && key !== undefined ? key : (nodes.value.get(k) ?? key);
}
