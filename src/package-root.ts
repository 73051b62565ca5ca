// The package's own folder (the one holding its package.json), found from where this module runs:
// src/ (tests), dist/ (tsc's output) or dist/bundle/ (the bundled CLI). Files the package ships
// (schemas/, examples/, dist/pglite-template.tar.gz) are named from here, whatever the depth.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function folderWithPackageJson(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`argosctl: no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

export const PACKAGE_ROOT: string = folderWithPackageJson(path.dirname(fileURLToPath(import.meta.url)));

/** A file or folder of the package, by its path from the package's root. */
export const packagePath = (...parts: string[]): string => path.join(PACKAGE_ROOT, ...parts);
