// One exported manifest as YAML text, through yaml's Document API so every value from the
// database (names with newlines, `#`, `---`, YAML-looking text) is quoted as it must be.
import { Document, isMap, isScalar, type Node } from 'yaml';
import type { ExportedManifest } from './manifest-of.js';

function markDefaults(node: unknown, path: string, defaults: Set<string>): void {
  if (!isMap(node)) return;
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const at = path ? `${path}.${key}` : key;
    if (defaults.has(at) && isScalar(pair.value)) (pair.value as Node).comment = ' default';
    markDefaults(pair.value, at, defaults);
  }
}

/** `schemaRef`: the JSON Schema path for the editor modeline, relative to the manifest. */
export function renderManifest(manifest: ExportedManifest, schemaRef: string, header: string): string {
  const doc = new Document(manifest.value);
  doc.commentBefore = ` yaml-language-server: $schema=${schemaRef}\n ${header}`;
  markDefaults(doc.contents, '', manifest.defaults);
  return doc.toString({ lineWidth: 0 });
}
