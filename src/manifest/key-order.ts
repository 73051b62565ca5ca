// The canonical key order of a manifest: the order in which its version's JSON Schema lists its
// properties. export writes in this order and fmt sorts into it, so both agree on what
// "canonical" means. A v1 file is ordered by the v1 schema (it has `method`, not `methods`).
import { readSchema } from './schemas.js';
import { schemaProperties } from './schema-properties.js';
import { CURRENT_VERSION, isKnownVersion, schemaFileOf } from './versions/registry.js';

/** Per version: parent path (`spec.authMethods.idDocument`, `spec.admins[]`, `…supportedIdTypes.<name>`) → child keys in order. */
const orders = new Map<string, Map<string, string[]>>();

function keyOrders(version: string): Map<string, string[]> {
  const known = isKnownVersion(version) ? version : CURRENT_VERSION;
  let byParent = orders.get(known);
  if (byParent) return byParent;
  byParent = new Map();
  for (const row of schemaProperties(readSchema(schemaFileOf(known)))) {
    const dot = row.path.lastIndexOf('.');
    const parent = dot < 0 ? '' : row.path.slice(0, dot);
    const key = dot < 0 ? row.path : row.path.slice(dot + 1);
    const list = byParent.get(parent) ?? [];
    list.push(key);
    byParent.set(parent, list);
  }
  orders.set(known, byParent);
  return byParent;
}

/** The schema's key order under `parent` (a schema path as above), or undefined for free-form maps. */
export function keyOrderAt(parent: string, version = CURRENT_VERSION): readonly string[] | undefined {
  return keyOrders(version).get(parent);
}

/** Sort rank of `key` under `parent`: schema keys first in schema order, unknown keys after, in their own order. */
export function keyRank(parent: string, key: string, version = CURRENT_VERSION): number {
  const order = keyOrderAt(parent, version);
  const at = order ? order.indexOf(key) : -1;
  return at >= 0 ? at : Number.MAX_SAFE_INTEGER;
}

/** Schema path of a child: list items become `[]`, keys of free-form maps `<name>`. */
export function childSchemaPath(parent: string, key: string | number, version = CURRENT_VERSION): string {
  if (typeof key === 'number') return `${parent}[]`;
  return keyOrderAt(parent, version)?.includes(key) ? (parent ? `${parent}.${key}` : key) : `${parent}.<name>`;
}
