// docs/manifest-reference.md is generated from the published schemas (scripts/build-manifest-reference.mjs)
// and cannot drift: the committed page equals what the generator writes now, every path that
// `argosctl schema` lists for the manifest and for argosctl.yaml has a row with a description, and
// the docs index links it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { renderManifestReference } from '../../scripts/build-manifest-reference.mjs';
import { runCliInProcess } from '../helpers/cli-in-process.js';

const PAGE = 'docs/manifest-reference.md';
const page = readFileSync(PAGE, 'utf8');

/** The page's rows by path: `| \`path\` | allowed | default | description |`. */
const rows = new Map(
  [...page.matchAll(/^\| `([^`]+)` \| (.*) \| (.*) \| (.*) \|$/gm)].map((m) => [m[1], { description: m[4] }]),
);

describe('the manifest reference', () => {
  it('is what `npm run docs:manifests` writes from the schemas today (run it after changing a schema)', () => {
    expect(page).toBe((renderManifestReference as () => string)());
  });

  for (const which of ['project', 'config']) {
    it(`has a described row for every path \`argosctl schema ${which}\` lists`, async () => {
      const listed = await runCliInProcess(['schema', which], { cwd: process.cwd() });
      expect(listed.code).toBe(0);
      const paths = listed.stdout
        .split('\n')
        .slice(1)
        .filter((line) => line && !line.startsWith(' '));
      expect(paths.length).toBeGreaterThan(which === 'project' ? 100 : 30);
      const missing = paths.filter((p) => !rows.has(p));
      expect(missing).toEqual([]);
      const undescribed = paths.filter((p) => !rows.get(p)?.description.trim());
      expect(undescribed).toEqual([]);
    });
  }

  it('is linked from the docs index and from the hand-written manifests page', () => {
    expect(readFileSync('docs/README.md', 'utf8')).toContain('](manifest-reference.md)');
    expect(readFileSync('docs/manifests.md', 'utf8')).toContain('](manifest-reference.md)');
  });
});
