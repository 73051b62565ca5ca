#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm run build`, and by `npm pack` through prepack),
// bundled into dist/bundle/ so a start loads a few files instead of hundreds (scripts/build-bundle.mjs).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundled = fileURLToPath(new URL('../dist/bundle/main.js', import.meta.url));
const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write(
    'argosctl: the compiled CLI is missing; run `npm run build` first (from a clone: `npm ci && npm run build`).\n',
  );
  process.exit(1);
}
await import(existsSync(bundled) ? bundled : main);
