// Small text edits on a parsed YAML document, located by the parser's node ranges, so a
// migration changes only what it must: every other byte of the file (comments, blank lines,
// order, quoting, flow or block style) stays as written.
import { isMap, isScalar, Scalar, type Node, type Pair, type YAMLMap } from 'yaml';
import type { TextEdit } from './version-step.js';

export function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) && typeof pair.key.value === 'string' ? pair.key.value : undefined;
}

export function pairAt(map: unknown, key: string): Pair | undefined {
  return isMap(map) ? (map.items as Pair[]).find((p) => keyOf(p) === key) : undefined;
}

/** `value` written the way `scalar` was (plain, "double" or 'single' quoted). */
function quotedLike(scalar: Scalar, value: string): string {
  if (scalar.type === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
  if (scalar.type === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  return value;
}

export function replaceScalar(scalar: Scalar, value: string): TextEdit {
  const [start, end] = scalar.range!;
  return { start, end, text: quotedLike(scalar, value) };
}

/** Replaces a node by new text, keeping what was written for `inner` inside it: `method: GCM` → `methods: [GCM]`. */
export function wrapNode(node: Node, text: string, before: string, after: string): TextEdit {
  const [start, end] = node.range!;
  return { start, end, text: `${before}${text.slice(start, end)}${after}` };
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** End of the line on which `node`'s value ends (before its newline), trailing comment included. */
function endOfLine(text: string, node: Node | null | undefined, fallback: number): number {
  let at = node?.range?.[1] ?? fallback;
  while (at > 0 && (text[at - 1] === '\n' || text[at - 1] === '\r')) at--; // a block collection's range ends after its newline
  const nl = text.indexOf('\n', at);
  if (nl < 0) return text.length;
  return text[nl - 1] === '\r' ? nl - 1 : nl;
}

/**
 * Adds `key: value` (value as YAML text) to `map` after the pair `after` (first when undefined):
 * in a block map on a new line at the keys' indentation, in a flow map as `, key: value`.
 */
export function insertPair(text: string, map: YAMLMap, after: Pair | undefined, key: string, value: string): TextEdit {
  const pairs = map.items as Pair[];
  const entry = `${key}: ${value}`;
  if (map.flow) {
    if (after) {
      const at = (after.value as Node | null)?.range?.[1] ?? (after.key as Node).range![1];
      return { start: at, end: at, text: `, ${entry}` };
    }
    const first = pairs[0]?.key as Node | undefined;
    if (first?.range) return { start: first.range[0], end: first.range[0], text: `${entry}, ` };
    const open = map.range![0] + 1;
    return { start: open, end: open, text: ` ${entry} ` };
  }
  const firstKey = pairs[0].key as Node;
  const indent = ' '.repeat(firstKey.range![0] - lineStart(text, firstKey.range![0]));
  if (!after) return { start: firstKey.range![0], end: firstKey.range![0], text: `${entry}\n${indent}` };
  const eol = endOfLine(text, after.value as Node | null, (after.key as Node).range![1]);
  const newline = text[eol] === '\r' ? '\r\n' : '\n';
  return { start: eol, end: eol, text: `${newline}${indent}${entry}` };
}

/** Applies non-overlapping edits (any order). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.end - a.end))
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
