// What is generated from the hand-written schemas: the later manifest versions' schemas (through
// the version steps) and the TypeScript types; this fails when either drifts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateManifestTypes, generateProjectSchemas } from '../../src/manifest/generate-types.js';

describe('schema and TypeScript types', () => {
  it('the committed types equal what the schemas generate (run `npm run gen:types` after editing a schema)', async () => {
    expect(readFileSync('src/manifest/manifest-types.generated.ts', 'utf8')).toBe(
      await generateManifestTypes('schemas'),
    );
  });

  it('schemas/project.v2.json equals what the v1 → v2 step generates from project.v1.json (`npm run gen:types`)', () => {
    const generated = generateProjectSchemas('schemas');
    expect([...generated.keys()]).toEqual(['project.v2.json']);
    for (const [file, text] of generated) expect(readFileSync(`schemas/${file}`, 'utf8'), file).toBe(text);
  });
});
