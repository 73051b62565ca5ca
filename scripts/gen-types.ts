import { writeFileSync } from 'node:fs';
import { generateManifestTypes } from '../src/manifest/generate-types.js';

writeFileSync('src/manifest/manifest-types.generated.ts', await generateManifestTypes('schemas'));
