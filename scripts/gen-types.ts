import { writeFileSync } from 'node:fs';
import { generateManifestTypes, generateProjectSchemas } from '../src/manifest/generate-types.js';

for (const [file, text] of generateProjectSchemas('schemas')) writeFileSync(`schemas/${file}`, text);
writeFileSync('src/manifest/manifest-types.generated.ts', await generateManifestTypes('schemas'));
