// Generates src/manifest/manifest-types.generated.ts from the JSON Schemas, so the TypeScript
// types can never drift from what the validator accepts (a test regenerates and compares).
import { readFileSync } from 'node:fs';
import { compile } from 'json-schema-to-typescript';

export async function generateManifestTypes(schemaDir: string): Promise<string> {
  const banner = '/* Generated from schemas/*.json by `npm run gen:types`. Do not edit. */';
  const parts: string[] = [banner];
  for (const file of ['project.v1.json', 'config.v1.json']) {
    const schema = JSON.parse(readFileSync(`${schemaDir}/${file}`, 'utf8'));
    parts.push(await compile(schema, schema.title, { bannerComment: '', additionalProperties: false, strictIndexSignatures: false, unreachableDefinitions: false, format: true }));
  }
  return parts.join('\n');
}
