// The readable form of a schema for `argosctl schema --format text`: per property its path, then
// type, default and an example, then its description. Schema texts are ours, not user input.
import type { SchemaProperty } from '../manifest/schema-properties.js';
import type { Style } from './style.js';

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function renderSchemaText(title: string, rows: readonly SchemaProperty[], style: Style): string {
  const lines = [`${style.bold(title)}: ${rows.length} properties (path; type; default; example; description)`];
  for (const r of rows) {
    const facts = [r.type, r.required ? 'required' : r.hasDefault ? `default ${show(r.default)}` : 'no default'];
    if (r.examples?.length) facts.push(`e.g. ${show(r.examples[0])}`);
    lines.push('', style.bold(r.path), `  ${facts.join('; ')}`);
    if (r.description) lines.push(`  ${style.dim(r.description)}`);
  }
  return lines.join('\n') + '\n';
}
