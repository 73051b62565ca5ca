// What plan and apply record about the commit (src/cli/git-info.ts), read with one `git log` and
// one `git rev-parse`: the commit, branch, author and PR of the message; the environment's values
// first; nothing (and no git started) outside a checkout.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { readGitInfo } from '../../src/cli/git-info.js';
import { tempDir } from '../helpers/cli.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Dev One', '-c', 'user.email=dev@acme.example', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();

/** Only what the test sets: no GITHUB_* of the machine running the suite. */
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, ...extra });

describe('the git information of a plan', () => {
  it('reads the commit, branch, author and the PR number of a squash-merge message', () => {
    const cwd = tempDir('examples/startup');
    git(cwd, 'init', '-q', '-b', 'release/2026');
    git(cwd, 'add', '-A');
    git(cwd, 'commit', '-qm', 'Tighten the whitelist (#42)\n\nBody line\n');
    expect(readGitInfo(cwd, env())).toEqual({
      commit: git(cwd, 'rev-parse', 'HEAD'),
      branch: 'release/2026',
      author: 'Dev One <dev@acme.example>',
      pr: 42,
    });
  });

  it('takes the commit and branch from the CI environment and the author of that commit', () => {
    const cwd = tempDir('examples/startup');
    git(cwd, 'init', '-q');
    git(cwd, 'add', '-A');
    git(cwd, 'commit', '-qm', 'first');
    const first = git(cwd, 'rev-parse', 'HEAD');
    execFileSync(
      'git',
      ['-c', 'user.name=Other', '-c', 'user.email=o@x.example', 'commit', '-q', '--allow-empty', '-m', 'second'],
      {
        cwd,
      },
    );
    expect(readGitInfo(cwd, env({ GITHUB_SHA: first, GITHUB_REF_NAME: 'main' }))).toEqual({
      commit: first,
      branch: 'main',
      author: 'Dev One <dev@acme.example>',
    });
  });

  it('a hostile GITHUB_SHA is recorded as given and read by git as a revision only', () => {
    const cwd = tempDir('examples/startup');
    git(cwd, 'init', '-q');
    git(cwd, 'add', '-A');
    git(cwd, 'commit', '-qm', 'first');
    const sha = '--format=%x00pwned%x00';
    const info = readGitInfo(cwd, env({ GITHUB_SHA: sha }));
    expect(info.commit).toBe(sha);
    expect(info.author).toBeUndefined();
  });

  it('an unborn branch (no commit yet) gives no commit and no author', () => {
    const cwd = tempDir('examples/startup');
    git(cwd, 'init', '-q');
    expect(readGitInfo(cwd, env()).commit).toBeUndefined();
    expect(readGitInfo(cwd, env()).author).toBeUndefined();
  });

  it('outside a checkout: nothing from git, and git is not started (no git on PATH changes nothing)', () => {
    const cwd = tempDir('examples/startup');
    expect(readGitInfo(cwd, env())).toEqual({});
    expect(readGitInfo(cwd, { PATH: '/nonexistent' })).toEqual({});
    expect(readGitInfo(cwd, env({ GITHUB_SHA: 'abc123' }))).toEqual({ commit: 'abc123' });
  });
});
