// A walk over every parsed YAML node, before the schema: values that would crash or corrupt a
// later stage are refused here with their position. NUL and lone surrogates cannot be stored
// by PostgreSQL; keys such as `constructor` look up JavaScript's own object properties; lists
// and mappings of 100,000 entries cost minutes and flood the output with one problem each.
import { isAlias, isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import { formatPath, type Diagnostic } from '../diagnostic.js';
import type { ParsedDocument } from '../read/yaml-position.js';

/** No ARGOS setting needs more entries; the public docs give no whitelist limit. */
export const MAX_COLLECTION_ITEMS = 1000;
export const MAX_DEPTH = 32;
export const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

type Seg = string | number;

/** What is wrong with a string anywhere in a manifest, if anything. */
export function stringProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'contains a NUL character (\\0)';
  if (LONE_SURROGATE.test(value))
    return 'contains a lone UTF-16 surrogate (an escape such as \\uD800 without its pair)';
  return undefined;
}

export function checkHostileValues(parsed: ParsedDocument): Diagnostic[] {
  if (parsed.hostileChecked) return []; // the fast path walked the same values and found nothing
  const out: Diagnostic[] = [];
  const report = (node: Node | null | undefined, path: Seg[], rule: string, message: string, allowed: string) => {
    const pos = parsed.lineCounter.linePos(node?.range?.[0] ?? 0);
    out.push({
      severity: 'error',
      rule,
      file: parsed.file,
      line: pos.line,
      column: pos.col,
      path: formatPath(path),
      message,
      allowed,
    });
  };
  const textProblem = (node: Node, path: Seg[], value: string, what: string) => {
    const problem = stringProblem(value);
    if (problem)
      report(
        node,
        path,
        'value.unsafe-text',
        `${what} ${problem}`,
        'text without NUL characters and without unpaired surrogate escapes',
      );
  };

  const walk = (node: unknown, path: Seg[]): void => {
    if (isAlias(node) || node == null) return; // an alias repeats a node that is walked where it is defined
    if (path.length > MAX_DEPTH)
      return report(
        node as Node,
        path,
        'value.too-deep',
        `nested more than ${MAX_DEPTH} levels deep`,
        'the manifest structure from the schema',
      );
    if (isScalar(node)) {
      if (typeof node.value === 'string') textProblem(node, path, node.value, 'value');
      return;
    }
    if (isSeq(node) || isMap(node)) {
      const kind = isSeq(node) ? 'list' : 'mapping';
      if (node.items.length > MAX_COLLECTION_ITEMS) {
        return report(
          node,
          path,
          'value.too-many-items',
          `${kind} has ${node.items.length} entries`,
          `at most ${MAX_COLLECTION_ITEMS} entries per ${kind} (for IP whitelists, merge addresses into CIDR ranges)`,
        );
      }
    }
    if (isSeq(node)) return node.items.forEach((item, i) => walk(item, [...path, i]));
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        const name = typeof key === 'string' || typeof key === 'number' ? String(key) : undefined;
        if (name !== undefined && RESERVED_KEYS.has(name)) {
          report(
            pair.key as Node,
            [...path, name],
            'value.reserved-key',
            `"${name}" cannot be used as a name or key`,
            `any other name (${[...RESERVED_KEYS].join(', ')} are reserved)`,
          );
          continue;
        }
        if (typeof key === 'string' && stringProblem(key)) textProblem(pair.key as Node, path, key, 'key');
        walk(pair.value, [...path, name ?? '?']);
      }
    }
  };
  walk(parsed.doc.contents, []);
  return out;
}
