#!/usr/bin/env node
// Packs the release tarball: `npm pack` of the built package (dist/ must be built), then its
// package.json without the `prepare` script. `prepare` builds dist/ for a clone (`npm ci`) and a
// git dependency; a tarball ships dist/ built, and npm 11 lists a packed `prepare` as an install
// script "not yet covered by allowScripts", inviting users to approve a build that cannot run
// without the dev dependencies. The working tree's package.json is never touched.
// Usage: node scripts/pack-tarball.mjs [DESTINATION]  (prints the tarball's path)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const destination = path.resolve(process.argv[2] ?? '.');
if (!existsSync(path.join(root, 'dist/cli/main.js'))) {
  console.error('pack-tarball: dist/ is not built; run `npm run build` first');
  process.exit(1);
}
const name = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', destination], {
  cwd: root,
  encoding: 'utf8',
})
  .trim()
  .split('\n')
  .pop();
const tarball = path.join(destination, name);
const work = mkdtempSync(path.join(os.tmpdir(), 'argosctl-pack-'));
try {
  execFileSync('tar', ['-xzf', tarball, '-C', work]);
  const manifestFile = path.join(work, 'package/package.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  delete manifest.scripts?.prepare;
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  // As npm packs: owner root, no timestamps that differ between builds.
  execFileSync('tar', [
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=1985-10-26 08:15:00Z',
    '-czf',
    tarball,
    '-C',
    work,
    'package',
  ]);
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(tarball);
