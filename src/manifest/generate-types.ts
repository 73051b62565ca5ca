// Generates src/manifest/manifest-types.generated.ts from the JSON Schemas, so the TypeScript
// types can never drift from what the validator accepts (a test regenerates and compares).
import { readFileSync } from 'node:fs';
import { compile } from 'json-schema-to-typescript';

/**
 * Annotations beside a $ref (description, default, examples for editors) would make the generator
 * inline a numbered copy of the referenced type (Mfa1, Threshold1); the types keep the named ones.
 */
function dropRefAnnotations(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(dropRefAnnotations);
  if (!node || typeof node !== 'object') return node;
  const entries = Object.entries(node).filter(([k]) => !('$ref' in node) || !['description', 'default', 'examples'].includes(k));
  return Object.fromEntries(entries.map(([k, v]) => [k, k === 'examples' || k === 'default' ? v : dropRefAnnotations(v)]));
}

export async function generateManifestTypes(schemaDir: string): Promise<string> {
  const banner = '/* Generated from schemas/*.json by `npm run gen:types`. Do not edit. */';
  const parts: string[] = [banner];
  for (const file of ['project.v1.json', 'config.v1.json']) {
    const schema = dropRefAnnotations(JSON.parse(readFileSync(`${schemaDir}/${file}`, 'utf8'))) as { title: string };
    parts.push(await compile(schema as Parameters<typeof compile>[0], schema.title, { bannerComment: '', additionalProperties: false, strictIndexSignatures: false, unreachableDefinitions: false, format: true }));
  }
  return parts.join('\n');
}
