// The canonical key order of a manifest: the order in which the JSON Schema lists its properties.
// export writes in this order and fmt sorts into it, so both agree on what "canonical" means.
import { readSchema } from './schemas.js';
import { schemaProperties } from './schema-properties.js';

/** Parent path (`spec.authMethods.idDocument`, `spec.admins[]`, `…supportedIdTypes.<name>`) → child keys in order. */
let orders: Map<string, string[]> | undefined;

function keyOrders(): Map<string, string[]> {
  if (orders) return orders;
  orders = new Map();
  for (const row of schemaProperties(readSchema('project.v1.json'))) {
    const dot = row.path.lastIndexOf('.');
    const parent = dot < 0 ? '' : row.path.slice(0, dot);
    const key = dot < 0 ? row.path : row.path.slice(dot + 1);
    const list = orders.get(parent) ?? [];
    list.push(key);
    orders.set(parent, list);
  }
  return orders;
}

/** The schema's key order under `parent` (a schema path as above), or undefined for free-form maps. */
export function keyOrderAt(parent: string): readonly string[] | undefined {
  return keyOrders().get(parent);
}

/** Sort rank of `key` under `parent`: schema keys first in schema order, unknown keys after, in their own order. */
export function keyRank(parent: string, key: string): number {
  const order = keyOrderAt(parent);
  const at = order ? order.indexOf(key) : -1;
  return at >= 0 ? at : Number.MAX_SAFE_INTEGER;
}

/** Schema path of a child: list items become `[]`, keys of free-form maps `<name>`. */
export function childSchemaPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[]`;
  return keyOrderAt(parent)?.includes(key) ? (parent ? `${parent}.${key}` : key) : `${parent}.<name>`;
}
