// readManifests gives the same result whether a file is read by the fast path or by `yaml`:
// the same projects and settings, the same lines for plan sources, the same problems at the same
// positions. Run over every example and every invalid fixture.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fastYaml } from '../../src/manifest/read/fast-yaml.js';
import { readManifests } from '../../src/validate/read-manifests.js';
import type { ManifestSet } from '../../src/manifest/manifest-set.js';
import { SET_PATHS } from '../../src/model/fields.js';

const dirs = [
  ...readdirSync('examples', { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.join('examples', e.name)),
  ...readdirSync('test/fixtures/invalid').map((name) => path.join('test/fixtures/invalid', name)),
];

/** Everything a later stage can see of a manifest set, lines included. */
function observable(set: ManifestSet) {
  return {
    digest: set.digest,
    fileCount: set.fileCount,
    diagnostics: set.diagnostics,
    organization: set.organization,
    projects: set.projects.map((p) => ({
      settings: p.settings,
      file: p.file,
      line: p.line,
      lines: ['metadata.name', 'spec.status', 'spec.authMethods.idDocument.enabled', ...Object.values(SET_PATHS)].map(
        (at) => p.lineOf(at),
      ),
    })),
  };
}

describe('the fast YAML path changes nothing a user can see', () => {
  afterEach(() => {
    fastYaml.enabled = true;
  });

  it.each(dirs)('%s', async (dir) => {
    fastYaml.enabled = false;
    const slow = observable(await readManifests(dir));
    fastYaml.enabled = true;
    const fast = observable(await readManifests(dir));
    expect(fast).toEqual(slow);
  });
});
