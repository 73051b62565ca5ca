// Outside a git repository, `--dir projects` run beside argosctl.yaml still reads it (its policy and
// regions apply to those manifests); it is never looked for above the folder the user is in.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configAbove, findGitRoot } from '../../src/config/find-config.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { tempDir } from '../helpers/cli.js';

const MANIFEST = [
  'apiVersion: argosctl/v1',
  'kind: Project',
  'metadata: { id: plain, name: Plain }',
  'spec:',
  '  status: TEST',
  '  authMethods: { idDocument: { enabled: true } }',
  '',
].join('\n');

function folder(): string {
  const dir = tempDir();
  expect(findGitRoot(dir)).toBeUndefined();
  writeFileSync(
    path.join(dir, 'argosctl.yaml'),
    'apiVersion: argosctl/v1\nkind: Organization\npolicy:\n  rules:\n' +
      '    - { name: private-data, setting: spec.security.privacyProtection, equals: true }\n',
  );
  mkdirSync(path.join(dir, 'projects'));
  writeFileSync(path.join(dir, 'projects', 'plain.yaml'), MANIFEST);
  return dir;
}

describe('argosctl.yaml outside a git repository', () => {
  it('validate --dir projects from the folder holding argosctl.yaml applies its policy', async () => {
    const dir = folder();
    const r = await runCliInProcess(['validate', '--dir', 'projects'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/plain\.yaml:\d+:\d+: error: .*privacyProtection must be true.*\(policy\.private-data\)/);
  });

  it('is not looked for above the current folder', () => {
    const dir = folder();
    expect(configAbove(path.join(dir, 'projects'), dir)).toBe(path.join(dir, 'argosctl.yaml'));
    expect(configAbove(path.join(dir, 'projects'), path.join(dir, 'projects'))).toBeUndefined();
  });
});
