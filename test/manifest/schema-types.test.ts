// The TypeScript manifest types are generated from the JSON Schemas; this fails when they drift.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateManifestTypes } from '../../src/manifest/generate-types.js';

describe('schema and TypeScript types', () => {
  it('the committed types equal what the schemas generate (run `npm run gen:types` after editing a schema)', async () => {
    expect(readFileSync('src/manifest/manifest-types.generated.ts', 'utf8')).toBe(await generateManifestTypes('schemas'));
  });
});
