// Where the current manifest schema puts a duration (every `$ref: #/definitions/Duration`), found
// by walking the schema once, so a duration field added to the schema is bounded without a new rule.
import { currentProjectSchema } from '../schemas.js';

type Node = Record<string, unknown>;
/** A path through a manifest; `*` stands for every list item or map key. */
export type FieldPath = readonly (string | '*')[];

const DURATION_REF = '#/definitions/Duration';

function durationPaths(root: Node): FieldPath[] {
  const definitions = (root.definitions ?? {}) as Record<string, Node>;
  const found = new Map<string, FieldPath>();
  const walk = (node: Node | undefined, path: FieldPath, visiting: ReadonlySet<string>): void => {
    if (!node || typeof node !== 'object') return;
    const ref = node.$ref;
    if (ref === DURATION_REF) {
      found.set(path.join('.'), path);
      return;
    }
    if (typeof ref === 'string') {
      const name = ref.replace('#/definitions/', '');
      if (!visiting.has(name)) walk(definitions[name], path, new Set([...visiting, name]));
    }
    for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, Node>))
      walk(child, [...path, key], visiting);
    if (node.items && typeof node.items === 'object') walk(node.items as Node, [...path, '*'], visiting);
    if (node.additionalProperties && typeof node.additionalProperties === 'object')
      walk(node.additionalProperties as Node, [...path, '*'], visiting);
    for (const branch of ['anyOf', 'oneOf', 'allOf'] as const)
      for (const child of (node[branch] ?? []) as Node[]) walk(child, path, visiting);
  };
  walk(root, [], new Set());
  return [...found.values()];
}

let cached: FieldPath[] | undefined;

/** The duration fields of the current manifest version. */
export function durationFields(): readonly FieldPath[] {
  cached ??= durationPaths(currentProjectSchema());
  return cached;
}

/** Every value at `path` in `value`, with the concrete path it sits at (own properties only), in document order. */
export function valuesAt(value: unknown, path: FieldPath): { at: (string | number)[]; value: unknown }[] {
  const found: { at: (string | number)[]; value: unknown }[] = [];
  // Depth first on one path array: a path is copied only where a value is found.
  const at: (string | number)[] = [];
  const walk = (node: unknown, depth: number): void => {
    if (depth === path.length) {
      found.push({ at: [...at], value: node });
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const seg = path[depth];
    const step = (key: string | number, child: unknown) => {
      at.push(key);
      walk(child, depth + 1);
      at.pop();
    };
    if (seg !== '*') {
      if (Object.hasOwn(node, seg)) step(seg, (node as Node)[seg]);
    } else if (Array.isArray(node)) node.forEach((item, i) => step(i, item));
    else for (const [key, item] of Object.entries(node)) step(key, item);
  };
  walk(value, 0);
  return found;
}
