// The listing finds each file's shown path (from the working directory) and its path from the root
// once per folder; they must equal path.relative of the file, wherever argosctl is run from.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listManifestFiles } from '../../src/manifest/read/load-files.js';
import { tempDir } from '../helpers/cli.js';

const started = process.cwd();
afterEach(() => process.chdir(started));

function tree(): string {
  const root = tempDir();
  for (const folder of ['a', 'a/b', 'c']) mkdirSync(path.join(root, folder), { recursive: true });
  for (const file of ['top.yaml', 'a/one.yaml', 'a/b/two.yml', 'c/three.yaml'])
    writeFileSync(path.join(root, file), 'x: 1\n');
  return root;
}

describe('listing paths', () => {
  for (const from of ['.', 'a', 'a/b', '..']) {
    it(`shown paths and paths from the root equal path.relative when run from ${from}`, () => {
      const root = tree();
      process.chdir(path.join(root, from));
      const files = listManifestFiles(root);
      if (!Array.isArray(files)) throw new Error(files.message);
      expect(files.map((f) => f.full).sort()).toEqual(
        ['top.yaml', 'a/one.yaml', 'a/b/two.yml', 'c/three.yaml'].map((f) => path.join(root, f)).sort(),
      );
      for (const f of files) {
        expect(f.file).toBe(path.relative(process.cwd(), f.full));
        expect(f.fromRoot).toBe(path.relative(root, f.full));
      }
    });
  }
});
