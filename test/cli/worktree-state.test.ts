// "Uncommitted" as plan and apply see it (src/cli/git-info.ts): tracked changes below the manifest
// folder, staged or not, and untracked manifest files; not untracked notes, ignored files, or
// changes outside the folder. Outside a git checkout there is no commit to differ from.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDirtyTree } from '../../src/apply/dirty-tree.js';
import { parsePorcelain, readWorktreeState } from '../../src/cli/git-info.js';
import { GuardError } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@x.example', ...args], { cwd, encoding: 'utf8' });

describe('the manifest folder against its commit', () => {
  it('clean, then each kind of difference; only manifest files count when untracked', () => {
    const cwd = tempDir('examples/bank');
    expect(readWorktreeState(cwd, 'projects')).toEqual({}); // not a checkout
    writeFileSync(path.join(cwd, '.gitignore'), 'projects/ignored.yaml\n');
    git(cwd, 'init', '-q');
    git(cwd, 'add', '-A');
    git(cwd, 'commit', '-qm', 'first');
    expect(readWorktreeState(cwd, 'projects')).toEqual({ dirty: false });
    writeFileSync(path.join(cwd, 'projects/notes.txt'), 'not a manifest');
    writeFileSync(path.join(cwd, 'projects/ignored.yaml'), 'ignored');
    writeFileSync(path.join(cwd, 'README.md'), 'outside the folder');
    expect(readWorktreeState(cwd, 'projects')).toEqual({ dirty: false });
    mkdirSync(path.join(cwd, 'projects/new team'));
    const untracked = 'apiVersion: argosctl/v2\n';
    writeFileSync(path.join(cwd, 'projects/new team/x.yaml'), untracked);
    expect(readWorktreeState(cwd, 'projects')).toEqual({
      dirty: true,
      dirtyFiles: [
        {
          path: 'projects/new team/x.yaml',
          status: '??',
          sha256: createHash('sha256').update(untracked).digest('hex'),
        },
      ],
    });
    rmSync(path.join(cwd, 'projects/new team'), { recursive: true });
    git(cwd, 'mv', 'projects/kbank-onboarding.yaml', 'projects/kbank.yaml');
    rmSync(path.join(cwd, 'projects/keys'), { recursive: true });
    const state = readWorktreeState(cwd, 'projects');
    expect(state.dirty).toBe(true);
    expect(state.dirtyFiles?.map((f) => [f.status, f.path, f.sha256 === null])).toEqual([
      ['R', 'projects/kbank.yaml', false],
      ['D', 'projects/keys/kbank.pub.pem', true],
    ]);
    renameSync(path.join(cwd, 'projects/kbank.yaml'), path.join(cwd, 'projects/kbank.yml'));
    expect(readWorktreeState(cwd, 'projects').dirty).toBe(true);
  });

  it('porcelain records: a rename carries its old path, which is not a file of its own', () => {
    expect(parsePorcelain('R  new.yaml\0old.yaml\0 M a.yaml\0?? b c.yaml\0')).toEqual([
      { status: 'R', path: 'new.yaml' },
      { status: 'M', path: 'a.yaml' },
      { status: '??', path: 'b c.yaml' },
    ]);
  });

  it('CI refuses a dirty tree or a plan made from one (exit 3); a workstation is warned', () => {
    const dirty = { dirty: true, dirtyFiles: [{ path: 'projects/a.yaml', status: 'M', sha256: 'ab' }] };
    expect(() => checkDirtyTree(dirty, undefined, { CI: 'true' })).toThrow(GuardError);
    expect(() => checkDirtyTree({ dirty: false }, dirty, { CI: '1' })).toThrow(
      /saved plan was made from manifest files/,
    );
    expect(checkDirtyTree({ dirty: false }, { dirty: false }, { CI: 'true' })).toEqual({ dirty: false });
    expect(checkDirtyTree({}, undefined, { CI: 'true' })).toEqual({ dirty: false }); // outside git: nothing to compare
    const warned = checkDirtyTree(dirty, undefined, {});
    expect(warned.dirty).toBe(true);
    expect(warned.warning).toMatch(/M projects\/a\.yaml/);
  });
});
