// Generates what is derived from the hand-written schemas: schemas/project.v2.json (and any later
// version) from project.v1.json through the version steps, and src/manifest/manifest-types.generated.ts
// from the current project schema and the config schema, so neither can drift from what the
// validator accepts (tests regenerate both and compare).
import { readFileSync } from 'node:fs';
import { compile } from 'json-schema-to-typescript';
import { OLDEST_VERSION, schemaFileOf, schemasFrom, CURRENT_VERSION } from './versions/registry.js';

/**
 * Annotations beside a $ref (description, default, examples for editors) would make the generator
 * inline a numbered copy of the referenced type (Mfa1, Threshold1); the types keep the named ones.
 */
function dropRefAnnotations(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(dropRefAnnotations);
  if (!node || typeof node !== 'object') return node;
  const entries = Object.entries(node).filter(
    ([k]) => !('$ref' in node) || !['description', 'default', 'examples'].includes(k),
  );
  return Object.fromEntries(
    entries.map(([k, v]) => [k, k === 'examples' || k === 'default' ? v : dropRefAnnotations(v)]),
  );
}

/** File name → text of every derived project schema (not the oldest, which is written by hand). */
export function generateProjectSchemas(schemaDir: string): Map<string, string> {
  const oldest = JSON.parse(readFileSync(`${schemaDir}/${schemaFileOf(OLDEST_VERSION)}`, 'utf8'));
  const out = new Map<string, string>();
  for (const [version, schema] of schemasFrom(oldest)) {
    if (version !== OLDEST_VERSION) out.set(schemaFileOf(version), `${JSON.stringify(schema, null, 2)}\n`);
  }
  return out;
}

export async function generateManifestTypes(schemaDir: string): Promise<string> {
  const banner = '/* Generated from schemas/*.json by `npm run gen:types`. Do not edit. */';
  const parts: string[] = [banner];
  const current =
    generateProjectSchemas(schemaDir).get(schemaFileOf(CURRENT_VERSION)) ??
    readFileSync(`${schemaDir}/${schemaFileOf(CURRENT_VERSION)}`, 'utf8');
  for (const text of [current, readFileSync(`${schemaDir}/config.v1.json`, 'utf8')]) {
    const schema = dropRefAnnotations(JSON.parse(text)) as { title: string };
    parts.push(
      await compile(schema as Parameters<typeof compile>[0], schema.title, {
        bannerComment: '',
        additionalProperties: false,
        strictIndexSignatures: false,
        unreachableDefinitions: false,
        format: true,
      }),
    );
  }
  return parts.join('\n');
}
