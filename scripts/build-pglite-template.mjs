// Part of `npm run build`: the migrated PGlite template new embedded databases start from.
import { buildPGliteTemplate } from '../dist/db/build-pglite-template.js';
import { TEMPLATE_FILE } from '../dist/db/pglite-template.js';

const started = Date.now();
if (await buildPGliteTemplate())
  console.log(`built ${TEMPLATE_FILE} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
