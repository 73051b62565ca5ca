// Lists every property of a published JSON Schema as a flat row (path, type, default, description,
// examples), following local $refs. `argosctl schema --format text` prints these rows and a test
// uses them to check that every property is documented.

type Node = Record<string, unknown>;

export interface SchemaProperty {
  /** Dotted path as written in a manifest; `[]` marks list items and `<name>` map keys. */
  path: string;
  type: string;
  required: boolean;
  /** The property's own annotations (siblings of a $ref count, the referenced definition's do not). */
  description?: string;
  default?: unknown;
  hasDefault: boolean;
  examples?: unknown[];
}

function resolve(root: Node, node: Node): Node {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  const match = /^#\/definitions\/([^/]+)$/.exec(ref);
  const target = match ? (root.definitions as Record<string, Node> | undefined)?.[match[1]] : undefined;
  if (!target) throw new Error(`unresolvable $ref ${ref}`);
  return resolve(root, target);
}

function range(n: Node): string {
  const min = n.minimum,
    max = n.maximum;
  return min !== undefined || max !== undefined ? ` ${min ?? ''}..${max ?? ''}` : '';
}

/** A short human type: `boolean`, `integer 1..100`, `TRIAL | TEST`, `list of string`, `map of string`. */
export function describeType(root: Node, raw: Node): string {
  const n = resolve(root, raw);
  if (n.const !== undefined) return JSON.stringify(n.const);
  if (Array.isArray(n.enum)) return n.enum.map((v) => String(v)).join(' | ');
  if (Array.isArray(n.anyOf)) return (n.anyOf as Node[]).map((a) => describeType(root, a)).join(' | ');
  if (n.type === 'array') return `list of ${n.items ? describeType(root, n.items as Node) : 'any'}`;
  if (n.type === 'object') {
    if (n.properties) return 'object';
    const values = n.additionalProperties;
    return typeof values === 'object' && values ? `map of ${describeType(root, values as Node)}` : 'object';
  }
  if (Array.isArray(n.type)) return n.type.join(' | ');
  if (n.type === 'integer' || n.type === 'number') return `${n.type}${range(n)}`;
  return typeof n.type === 'string' ? n.type : 'any';
}

export function schemaProperties(root: Node): SchemaProperty[] {
  const rows: SchemaProperty[] = [];
  const walk = (raw: Node, prefix: string): void => {
    const node = resolve(root, raw);
    const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
    for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, Node>)) {
      const path = prefix ? `${prefix}.${key}` : key;
      rows.push({
        path,
        type: describeType(root, child),
        required: required.has(key),
        description: typeof child.description === 'string' ? child.description : undefined,
        default: child.default,
        hasDefault: 'default' in child,
        examples: Array.isArray(child.examples) ? child.examples : undefined,
      });
      walk(child, path);
    }
    if (node.type === 'array' && node.items) walk(node.items as Node, `${prefix}[]`);
    const values = node.additionalProperties;
    if (typeof values === 'object' && values) walk(values as Node, `${prefix}.<name>`);
  };
  walk(root, '');
  return rows;
}
