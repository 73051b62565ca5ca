// `argosctl fmt` on one file's text: keys of project documents in the schema's order, strings
// quoted only where YAML needs it, flow collections written `[a, b]` and `{ a: 1 }`; comments,
// blank lines, block or flow style and every value kept; aliases stay aliases (never expanded).
// Pure: text in, text out.
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  Scalar,
  YAMLMap,
  YAMLSeq,
  type Document,
  type Node,
} from 'yaml';
import { childSchemaPath, keyRank } from '../manifest/key-order.js';

export type Formatted = { ok: true; text: string } | { ok: false; line: number; column: number; message: string };

function keyName(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

type Commented = { commentBefore?: string | null };

function prepend(target: Commented, comment: string | null | undefined): void {
  if (comment) target.commentBefore = target.commentBefore ? `${comment}\n${target.commentBefore}` : comment;
}

/**
 * The parser hangs a comment above a map's first key on the map or on that key. At the top of a
 * file it is the file's header (the schema modeline): it stays on top. Inside, it belongs to the key.
 */
function keepCommentsInPlace(map: YAMLMap, oldFirst: YAMLMap['items'][number], isRoot: boolean): void {
  const oldKey = oldFirst.key as Commented | null;
  const newKey = map.items[0].key as Commented | null;
  if (!oldKey || !newKey) return;
  const mapComment = map as Commented;
  if (isRoot) {
    const header = oldKey.commentBefore;
    oldKey.commentBefore = undefined;
    prepend(newKey, header);
  } else if (mapComment.commentBefore) {
    prepend(oldKey, mapComment.commentBefore);
    mapComment.commentBefore = undefined;
  }
}

/** Sorts map pairs in place by schema rank; equal ranks (unknown keys, free-form maps) keep their order. */
function reorder(node: unknown, schemaPath: string | undefined, version: string): void {
  if (isMap(node)) {
    if (schemaPath !== undefined) {
      const ranked = node.items.map((pair, i) => ({
        pair,
        i,
        rank: keyRank(schemaPath, keyName(pair.key) ?? '', version),
      }));
      ranked.sort((a, b) => a.rank - b.rank || a.i - b.i);
      const first = node.items[0];
      node.items = ranked.map((r) => r.pair);
      if (first && node.items[0] !== first) keepCommentsInPlace(node, first, schemaPath === '');
    }
    for (const pair of node.items) {
      const key = keyName(pair.key);
      reorder(
        pair.value,
        schemaPath === undefined || key === undefined ? undefined : childSchemaPath(schemaPath, key, version),
        version,
      );
    }
  } else if (isSeq(node)) {
    for (const item of node.items) reorder(item, schemaPath === undefined ? undefined : `${schemaPath}[]`, version);
  }
}

/**
 * `key: # note` above a block collection: the parser hangs ` note` on the collection, which would
 * print it on a line of its own. Seen on the key's line in the source, it goes back to the key.
 */
function keepEndOfLineComments(node: unknown, text: string): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = pair.key;
      const value = pair.value as (Node & Commented) | null;
      if (isScalar(key) && key.range && (isMap(value) || isSeq(value)) && !value.flow && value.commentBefore) {
        const lineEnd = text.indexOf('\n', key.range[1]);
        const rest = text.slice(key.range[1], lineEnd === -1 ? undefined : lineEnd);
        const onKeyLine = /^[ \t]*:[ \t]+#(.*)$/.exec(rest)?.[1];
        const [first, ...others] = value.commentBefore.split('\n');
        if (onKeyLine !== undefined && onKeyLine.trimEnd() === first.trimEnd() && !key.comment) {
          key.comment = first;
          value.commentBefore = others.length > 0 ? others.join('\n') : undefined;
        }
      }
      keepEndOfLineComments(value, text);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) keepEndOfLineComments(item, text);
  }
}

const QUOTE_KINDS = new Set([Scalar.PLAIN, Scalar.QUOTE_DOUBLE, Scalar.QUOTE_SINGLE]);

/** Plain where YAML reads it back as the same string, else quoted (the library decides); block scalars stay. */
function canonicalQuotes(node: unknown): void {
  if (isScalar(node)) {
    if (typeof node.value === 'string' && (node.type === undefined || QUOTE_KINDS.has(node.type)))
      node.type = undefined;
  } else if (isMap(node) || isSeq(node)) {
    for (const item of node.items as unknown[]) {
      if (isPair(item)) {
        canonicalQuotes(item.key);
        canonicalQuotes(item.value);
      } else canonicalQuotes(item);
    }
    // One padding rule per kind, whatever the nesting: `[a, b]` and `{ a: 1 }`, as people write them.
    if (node.flow) {
      const padding = isMap(node) ? ' ' : '';
      const own = (isMap(node) ? YAMLMap : YAMLSeq).prototype.toString;
      (node as Node).toString = ((ctx: { flowCollectionPadding?: string } | undefined, ...rest: unknown[]) =>
        (own as (...a: unknown[]) => string).call(
          node,
          ctx && { ...ctx, flowCollectionPadding: padding },
          ...rest,
        )) as Node['toString'];
    }
  }
}

function formatDocument(doc: Document.Parsed, text: string): string {
  keepEndOfLineComments(doc.contents, text);
  const kind: unknown = isMap(doc.contents) ? doc.contents.get('kind') : undefined;
  const version: unknown = isMap(doc.contents) ? doc.contents.get('apiVersion') : undefined;
  // Each file in its own version's key order (key-order.ts falls back to the current one).
  reorder(doc.contents, kind === 'Project' ? '' : undefined, String(version));
  canonicalQuotes(doc.contents);
  return doc.toString({ lineWidth: 0 });
}

export function formatText(text: string): Formatted {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) {
      const pos = lineCounter.linePos(error.pos[0]);
      return {
        ok: false,
        line: pos.line,
        column: pos.col,
        message: `not valid YAML (${error.code}); fix it before formatting`,
      };
    }
  }
  return { ok: true, text: list.map((doc) => formatDocument(doc, text)).join('') };
}
