// Every shipped example and the starter folder are valid, and every manifest carries the
// yaml-language-server modeline so editors validate while typing.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifests } from '../../src/validate/read-manifests.js';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? yamlFiles(full) : /\.ya?ml$/.test(name) ? [full] : [];
  });
}

const sets: [string, number][] = [
  ['examples/bank', 2],
  ['examples/global-platform', 3],
  ['examples/startup', 2],
  ['examples/v2', 1],
  ['projects', 1],
];

describe('examples', () => {
  for (const [dir, count] of sets) {
    it(`${dir} validates with ${count} project(s)`, async () => {
      const set = await readManifests(dir);
      expect(set.diagnostics).toEqual([]);
      expect(set.projects).toHaveLength(count);
    });
  }

  it('every example document starts with a yaml-language-server modeline pointing at a schema that exists', () => {
    for (const file of [...yamlFiles('examples'), ...yamlFiles('projects')].filter((f) => !f.includes('/github/'))) {
      for (const doc of readFileSync(file, 'utf8').split(/^---$/m)) {
        const m = /^# yaml-language-server: \$schema=(\S+)/m.exec(doc.trim());
        expect(m, `${file} lacks the modeline`).not.toBeNull();
        expect(statSync(path.resolve(path.dirname(file), m![1])).isFile()).toBe(true);
      }
    }
  });
});
