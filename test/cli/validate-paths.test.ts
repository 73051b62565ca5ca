// `validate FILE|FOLDER…` (what the pre-commit hook runs): only the named manifests are read, each
// under the manifest root's read rules; a path outside the configured manifest folder is an error.
// In process, but for the pre-commit hook's own command line, which runs the built argosctl.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';

const BAD = 'apiVersion: argosctl/v1\nkind: Project\nmetadata: { id: bad, name: x }\nspec:\n  status: LIVE\n';
const SECRET = 'apiVersion: argosctl/v1\nkind: Project\nmetadata: { id: SECRET-CONTENT, name: x }\n';

/** A repository made by `argosctl init` (manifests: projects) with a second good and one bad manifest. */
async function repo(): Promise<string> {
  const cwd = tempDir();
  execFileSync('git', ['init', '-q'], { cwd });
  expect((await runCliInProcess(['init'], { cwd })).code).toBe(0);
  const example = readFileSync(path.join(cwd, 'projects/example.yaml'), 'utf8');
  writeFileSync(path.join(cwd, 'projects/good.yaml'), example.replace('my-first-project', 'second-project'));
  writeFileSync(path.join(cwd, 'projects/bad.yaml'), BAD);
  return cwd;
}

describe('validate with files and folders', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await repo();
  });

  it('a named file is validated alone: the bad manifest next to it is not read', async () => {
    const r = await runCliInProcess(['validate', 'projects/good.yaml'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 project\(s\) in 1 manifest file\(s\) and argosctl\.yaml are valid/); // argosctl.yaml is not a manifest
  });

  it('a named bad file fails with its problem; a named folder reads everything below it', async () => {
    const file = await runCliInProcess(['validate', 'projects/good.yaml', 'projects/bad.yaml'], { cwd });
    expect(file.code).toBe(1);
    expect(file.stderr).toMatch(/projects\/bad\.yaml:5:11: error: string "LIVE" is not allowed here/);
    const folder = await runCliInProcess(['validate', 'projects', '--format', 'json'], { cwd });
    expect(folder.code).toBe(1);
    expect(JSON.parse(folder.stdout)).toMatchObject({ valid: false, files: 3, projects: 2 });
  });

  it('paths are relative to the current folder, also from a subfolder', async () => {
    const r = await runCliInProcess(['validate', 'good.yaml'], { cwd: path.join(cwd, 'projects') });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 project\(s\) in 1 manifest file\(s\) and argosctl\.yaml are valid/);
  });

  it('naming argosctl.yaml adds nothing: it is always validated', async () => {
    const r = await runCliInProcess(['validate', 'argosctl.yaml', 'projects/good.yaml'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 project\(s\) in 1 manifest file\(s\) and argosctl\.yaml are valid/);
  });

  it('outside a config repository, validate and plan suggest `argosctl init` and create nothing', async () => {
    const empty = tempDir();
    for (const command of ['validate', 'plan']) {
      const r = await runCliInProcess([command], { cwd: empty, env: { ARGOS_DATABASE_URL: '' } });
      expect(r.code, command).toBe(1);
      expect(r.stderr, command).toContain('to start one here, run `argosctl init`');
    }
    expect(readdirSync(empty)).toEqual([]);
  });

  it('a file outside the manifest folder is an error naming the folder, and is not read', async () => {
    const outside = tempDir();
    writeFileSync(path.join(outside, 'secret.yaml'), SECRET);
    writeFileSync(path.join(cwd, 'stray.yaml'), SECRET);
    for (const named of [
      path.join(outside, 'secret.yaml'),
      'stray.yaml',
      'projects/../stray.yaml',
      '.github/workflows/argosctl-plan.yml',
    ]) {
      const r = await runCliInProcess(['validate', named, 'projects/good.yaml'], { cwd });
      expect(r.code, named).toBe(1);
      expect(r.stderr, named).toMatch(/is outside the manifest folder projects .*\(files\.outside-root\)/);
      expect(r.stderr).not.toContain('SECRET-CONTENT');
    }
  });

  it('hostile links inside the folder are refused under the read rules, without reading the target', async () => {
    const outside = tempDir();
    writeFileSync(path.join(outside, 'secret.yaml'), SECRET);
    const dir = await repo();
    symlinkSync(path.join(outside, 'secret.yaml'), path.join(dir, 'projects/link.yaml'));
    symlinkSync(outside, path.join(dir, 'projects/linked-folder'));
    mkdirSync(path.join(dir, 'projects/.hidden'));
    writeFileSync(path.join(dir, 'projects/.hidden/x.yaml'), BAD);
    for (const named of ['projects/link.yaml', 'projects/linked-folder/secret.yaml', 'projects/linked-folder']) {
      const r = await runCliInProcess(['validate', named], { cwd: dir });
      expect(r.code, named).toBe(1);
      expect(r.stderr, named).toMatch(
        /(leads outside the manifest root|is outside the manifest root|not a regular file)/,
      );
      expect(r.stderr).not.toContain('SECRET-CONTENT');
    }
    // a named file below a dot-folder (never walked) is still read under the same rules
    const hidden = await runCliInProcess(['validate', 'projects/.hidden/x.yaml'], { cwd: dir });
    expect(hidden.code).toBe(1);
    expect(hidden.stderr).toMatch(/projects\/\.hidden\/x\.yaml:5:11: error/);
  });

  it('a named file that is not YAML, or does not exist, gets one clear error', async () => {
    writeFileSync(path.join(cwd, 'projects/notes.md'), '# notes\n');
    const md = await runCliInProcess(['validate', 'projects/notes.md'], { cwd });
    expect(md.code).toBe(1);
    expect(md.stderr).toMatch(/projects\/notes\.md is not a manifest file .*\(files\.not-manifest\)/);
    const missing = await runCliInProcess(['validate', 'projects/gone.yaml'], { cwd });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such file or folder: projects\/gone\.yaml .*\(files\.missing\)/);
    // Outside the folder too: that it is missing is the first thing to know.
    const outside = await runCliInProcess(['validate', 'gone.yaml'], { cwd });
    expect(outside.stderr).toContain('gone.yaml:1:1: error: no such file or folder: gone.yaml');
  });
});

interface Hook {
  id: string;
  entry: string;
  language: string;
  files: string;
  pass_filenames?: boolean;
}

describe('.pre-commit-hooks.yaml', () => {
  const hooks = parse(readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
  const changed = [
    'projects/good.yaml',
    'projects/bad.yaml',
    'argosctl.yaml',
    '.github/workflows/argosctl-plan.yml',
    'README.md',
  ];

  it('each hook runs argosctl validate on the changed manifests of the default layout only', () => {
    expect(hooks.map((h) => h.id)).toEqual(['argosctl-validate']);
    for (const hook of hooks) {
      expect(hook.entry).toMatch(/argosctl validate$/);
      expect(hook.pass_filenames).toBe(true);
      expect(changed.filter((f) => new RegExp(hook.files).test(f))).toEqual([
        'projects/good.yaml',
        'projects/bad.yaml',
        'argosctl.yaml',
      ]);
    }
    expect(hooks[0]).toMatchObject({ language: 'system', entry: 'npx --no-install argosctl validate' });
  });

  it('run as pre-commit runs it (entry + the matching changed files): fails on the bad file, passes without it', async () => {
    const cwd = await repo();
    const hook = hooks[0];
    // the entry without `npx --no-install argosctl`: runCli runs the built argosctl itself
    const args = (files: string[]) => [
      ...hook.entry.split(' ').slice(3),
      ...files.filter((f) => new RegExp(hook.files).test(f)),
    ];
    const bad = await runCli(args(changed), { cwd });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/projects\/bad\.yaml:5:11/);
    const good = await runCli(args(changed.filter((f) => f !== 'projects/bad.yaml')), { cwd });
    expect(good.code).toBe(0);
  });
});
