// Positions of the fast path's files without a second parse: one pass over the lines of a file
// that fast-yaml.ts accepted (block mappings and sequences, one-line scalars, one-line flow
// collections of plain scalars, anchored one-line values and aliases, comments, `---`), recording
// where each key and each value starts, exactly where `yaml` puts its nodes' ranges. It reads only
// as far down the file as a question needs. Anything it is not sure of (an empty value, a layout it
// does not know) makes it answer UNSURE from then on, and the caller parses with `yaml` as before.

type Seg = string | number;

/** Where the nodes of one document start (offsets into the file's text). */
export interface DocumentPositions {
  /**
   * Offset of the node at `path` (`atKey`: of its key), undefined when the path is not in the
   * document, or UNSURE when the index met a line it does not read with certainty before it could tell.
   */
  start(path: readonly Seg[], atKey: boolean): number | undefined | typeof UNSURE;
  /** 1-based line and column of an offset, as `yaml`'s LineCounter gives them. */
  linePos(offset: number): { line: number; col: number };
}

export const UNSURE = Symbol('unsure');

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

/**
 * Reads a file's lines only as far as the questions asked need: a warning about `spec.status`
 * reads down to that line, not the whole file. Lines are read in order and each either is read
 * with certainty or stops the reader (UNSURE from then on), so an answer given from the lines read
 * so far is the one the whole file gives. `expectedDocuments`: how many documents the parser
 * found; a different count at the end makes the reader unsure.
 */
export class LineIndex {
  private readonly lineStarts = [0];
  private line = 0;
  private readonly done: NodeStarts[] = [];
  private nodes: NodeStarts = { key: new Map(), value: new Map() };
  private stack: Frame[] = [];
  private pending: Pending | undefined = { path: '', minCol: 0 };
  private ended = false;
  unsure = false;

  constructor(
    private readonly text: string,
    private readonly expectedDocuments?: number,
  ) {
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) this.lineStarts.push(at + 1);
  }

  readonly linePos = (offset: number) => {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - starts[lo] + 1 };
  };

  document(index: number): DocumentPositions {
    return { start: (path, atKey) => this.start(index, path, atKey), linePos: this.linePos };
  }

  private start(index: number, path: readonly Seg[], atKey: boolean): number | undefined | typeof UNSURE {
    const k = segKey(path);
    // A node's value is recorded after its key and its ancestors: once it is, the answer is known.
    while (!this.unsure && !this.ended && index >= this.done.length) {
      if (index === this.done.length && this.nodes.value.has(k)) break;
      this.step();
    }
    if (this.unsure) return UNSURE;
    const nodes = index < this.done.length ? this.done[index] : index === this.done.length ? this.nodes : undefined;
    if (!nodes || (this.ended && index >= this.done.length)) return UNSURE;
    return startOf(nodes, k, atKey);
  }

  /** Reads one line (or, past the last, closes the last document). */
  private step(): void {
    try {
      if (this.line < this.lineStarts.length) this.readLine(this.line++);
      else {
        this.finish();
        this.ended = true;
        if (this.expectedDocuments !== undefined && this.done.length !== this.expectedDocuments) this.unsure = true;
      }
    } catch (err) {
      if (!(err instanceof Unsure)) throw err;
      this.unsure = true;
    }
  }

  private finish(): void {
    if (this.nodes.key.size + this.nodes.value.size === 0) return;
    if (this.pending) throw new Unsure();
    this.done.push(this.nodes);
    this.nodes = { key: new Map(), value: new Map() };
    this.stack = [];
    this.pending = { path: '', minCol: 0 };
  }

  private readonly record: RecordStart = (k, part, offset) => {
    this.nodes[part].set(k, offset);
  };

  private top(): Frame {
    return this.stack[this.stack.length - 1];
  }

  private openItem(col: number, offset: number): PathKey {
    const { stack } = this;
    while (stack.length && this.top().col > col) stack.pop();
    const t = this.top();
    const pending = this.pending;
    if (pending && (col >= pending.minCol || col === pending.seqCol)) {
      this.record(pending.path, 'value', offset);
      stack.push({ kind: 'seq', col, path: pending.path, items: 0 });
      this.pending = undefined;
    } else if (!pending && t?.kind === 'seq' && t.col === col) {
      t.items++;
    } else throw new Unsure();
    const frame = this.top();
    return childKey(frame.path, frame.items);
  }

  private openKey(col: number, offset: number, key: string): PathKey {
    const { stack } = this;
    while (
      stack.length &&
      (this.top().col > col || (this.top().kind === 'seq' && this.top().col === col && !this.pending))
    )
      stack.pop();
    const t = this.top();
    const pending = this.pending;
    if (pending && col >= pending.minCol) {
      this.record(pending.path, 'value', offset);
      stack.push({ kind: 'map', col, path: pending.path, items: 0 });
      this.pending = undefined;
    } else if (pending || t?.kind !== 'map' || t.col !== col) throw new Unsure();
    const path = childKey(this.top().path, key);
    if (this.nodes.key.has(path) || this.nodes.value.has(path)) throw new Unsure();
    this.record(path, 'key', offset);
    return path;
  }

  private readLine(i: number): void {
    const { text, lineStarts } = this;
    const lineStart = lineStarts[i];
    const lineEnd = i + 1 < lineStarts.length ? lineStarts[i + 1] - 1 : text.length;
    const line = text.slice(lineStart, lineEnd);
    if (line === '---' || line === '...') {
      this.finish();
      return;
    }
    let col = 0;
    while (line[col] === ' ') col++;
    if (col === line.length || line[col] === '#') return;
    // An item path awaiting its content on this same line (after `- `).
    let itemPath: PathKey | undefined;
    while (line[col] === '-' && (line[col + 1] === ' ' || col + 1 === line.length)) {
      const path = this.openItem(col, lineStart + col);
      col++;
      while (line[col] === ' ') col++;
      itemPath = path;
      this.pending = { path, minCol: col };
    }
    KEY_AT.lastIndex = col;
    const key = KEY_AT.exec(line);
    if (key) {
      const path = this.openKey(col, lineStart + col, key[0].slice(0, -1));
      col += key[0].length;
      while (line[col] === ' ') col++;
      if (col === line.length || line[col] === '#') {
        this.pending = { path, minCol: this.top().col + 1, seqCol: this.top().col };
        return;
      }
      readValue(line, col, lineStart, path, this.record);
    } else if (itemPath) {
      this.pending = undefined;
      readValue(line, col, lineStart, itemPath, this.record);
    } else throw new Unsure();
  }
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

function startOf(nodes: NodeStarts, k: PathKey, atKey: boolean): number | undefined {
  const key = nodes.key.get(k);
  return atKey && key !== undefined ? key : (nodes.value.get(k) ?? key);
}
