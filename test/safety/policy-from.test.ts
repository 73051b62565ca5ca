// A pull request cannot widen its own permission: the rules that relax guards (allow:, policy:,
// regions:, lint.blastRadius) are read from argosctl.yaml at a trusted revision (--policy-from, by
// default in GitHub Actions the base branch or the commit before the push), with `git`, in a real
// repository with two commits. How the change relaxes them is the risk class policy-relax.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { DATABASE_TARGETS, useSharedMemoryDatabase } from '../helpers/databases.js';

const ORG = 'apiVersion: argosctl/v1\nkind: Organization\n';

const manifest = (submissions: string, api: string[]) => `apiVersion: argosctl/v1
kind: Project
metadata:
  id: shop
  name: Shop
spec:
  status: TEST
  submissions: ${submissions}
  authMethods:
    idDocument: { enabled: true }
  security:
    ipWhitelist:
      api: [${api.join(', ')}]
  admins:
    - email: ops@shop.example
`;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();
}

/** A repository whose first commit is applied; the second is the pull request's change, merged. */
function repository(pullRequestConfig: string): { cwd: string; base: string; merged: string } {
  const cwd = tempDir();
  git(cwd, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(cwd, 'argosctl.yaml'), ORG);
  execFileSync('mkdir', ['-p', path.join(cwd, 'projects')]);
  writeFileSync(path.join(cwd, 'projects/shop.yaml'), manifest('emergency-stop', ['203.0.113.7']));
  git(cwd, 'add', '-A');
  git(cwd, 'commit', '-q', '-m', 'base');
  const base = git(cwd, 'rev-parse', 'HEAD');
  writeFileSync(path.join(cwd, 'argosctl.yaml'), `${ORG}${pullRequestConfig}`);
  writeFileSync(path.join(cwd, 'projects/shop.yaml'), manifest('normal', ['203.0.113.7', '0.0.0.0/0']));
  return { cwd, base, merged: '' };
}

function commitPullRequest(cwd: string): string {
  git(cwd, 'add', '-A');
  git(cwd, 'commit', '-q', '-m', 'Merge pull request #7: resume and open the whitelist');
  return git(cwd, 'rev-parse', 'HEAD');
}

const SCOPED_ALLOW = `allow:
  - { class: emergency-resume, projects: [shop] }
  - { class: whitelist-widen, projects: [shop] }
`;

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`allow rules come from the trusted revision, on ${target.name}`, () => {
    let cwd: string;
    let base: string;
    let env: NodeJS.ProcessEnv;
    const run = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
      runCliInProcess(args, { cwd, env: { ...env, ...extra } });
    const embedded = target.name === 'pglite' ? useSharedMemoryDatabase() : undefined;
    let releaseFresh: (() => void) | undefined;
    afterAll(() => releaseFresh?.());

    beforeAll(async () => {
      ({ cwd, base } = repository(SCOPED_ALLOW));
      // A PostgreSQL database of its own, dropped after the block without waiting (the run's teardown
      // drops it if the worker ends first, test/helpers/databases.ts).
      const fresh = embedded ? undefined : await target.fresh();
      releaseFresh = fresh?.release;
      env = { ARGOS_DATABASE_URL: embedded ? embedded.url : fresh!.url };
      // The base commit is what the database holds: shop stopped, its API whitelist one address.
      git(cwd, 'stash', '-q', '-u');
      const first = await run(['apply', '--auto-approve', '--allow', 'emergency-stop']);
      expect(first.code, first.stderr).toBe(0);
      git(cwd, 'stash', 'pop', '-q');
      commitPullRequest(cwd);
    });

    it('the pull request plan (base branch origin/main) shows the risks as refused and policy-relax flagged', async () => {
      git(cwd, 'update-ref', 'refs/remotes/origin/main', base);
      const pr = { GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'pull_request', GITHUB_BASE_REF: 'main' };
      const text = await run(['plan'], pr);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/risky change "emergency-resume": shop spec\.submissions/);
      expect(text.stdout).toMatch(
        /risky change "whitelist-widen": shop spec\.security\.ipWhitelist\.api\[0\.0\.0\.0\/0\]/,
      );
      expect(text.stdout).toMatch(
        /risky change "policy-relax": the working tree's argosctl\.yaml relaxes guards compared with argosctl\.yaml at commit [0-9a-f]{12}: allow\[0\] allows "emergency-resume" for "shop"; allow\[1\] allows "whitelist-widen" for "shop"/,
      );
      expect(text.stdout).toMatch(
        /read from argosctl\.yaml at origin\/main \(commit [0-9a-f]{12}\), not from the change itself/,
      );
      const json = JSON.parse((await run(['plan', '--format', 'json'], pr)).stdout);
      expect(json.policy).toMatchObject({ ref: 'origin/main', commit: base, file: 'argosctl.yaml' });
      expect(json.policy.relaxed).toHaveLength(2);
      expect(json.refusals.map((r: { risk?: string }) => r.risk)).toEqual([
        'emergency-resume',
        'whitelist-widen',
        'policy-relax',
      ]);
      const markdown = await run(['plan', '--format', 'markdown'], pr);
      expect(markdown.stdout).toMatch(/policy-relax/);
      expect(markdown.stdout).toMatch(/not from the change itself/);
    });

    it('apply on merge (push: the commit before it) refuses the resume and the open whitelist without --allow; nothing is written', async () => {
      const push = { GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'push' };
      for (const allow of [[], ['--allow', 'emergency-resume', '--allow', 'whitelist-widen']]) {
        const r = await run(['apply', '--auto-approve', ...allow], push);
        expect(r.code, r.stderr).toBe(3);
        expect(r.stderr).toMatch(/policy-relax/);
        if (!allow.length) expect(r.stderr).toMatch(/emergency-resume[\s\S]*whitelist-widen/);
      }
      const explicit = await run(['apply', '--auto-approve', '--policy-from', base]);
      expect(explicit.code).toBe(3);
      const still = await run(['plan', '--format', 'json']);
      expect(JSON.parse(still.stdout).changes.map((c: { path: string }) => c.path)).toEqual([
        'spec.submissions',
        'spec.security.ipWhitelist.api',
      ]);
    });

    it('--allow policy-relax accepts the change of rules, and then its allow rules count; the output says where each came from', async () => {
      const r = await run([
        'apply',
        '--auto-approve',
        '--policy-from',
        'HEAD^1',
        '--allow',
        'policy-relax',
        '--format',
        'json',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.applied).toBe(true);
      expect(out.allowances).toContainEqual({ class: 'policy-relax', from: '--allow' });
      const after = await run(['plan', '--detailed-exitcode']);
      expect(after.code, after.stdout).toBe(0);
    });
  });
}

describe('allow rules in argosctl.yaml', () => {
  const embedded = useSharedMemoryDatabase();

  it('without projects: refused for emergency-resume and the whitelist classes, at argosctl.yaml line:column', async () => {
    const { cwd } = repository('allow: [{class: emergency-resume}, {class: whitelist-widen}]\n');
    const r = await runCliInProcess(['validate'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/argosctl\.yaml:3:\d+: .*an allow rule for emergency-resume must name its projects/);
    expect(r.stderr).toMatch(/argosctl\.yaml:3:\d+: .*an allow rule for whitelist-widen must name its projects/);
  });

  it('policy-relax cannot be allowed by a rule, and an unknown class is named', async () => {
    const { cwd } = repository('allow:\n  - class: policy-relax\n  - class: leave-everything\n');
    const r = await runCliInProcess(['validate'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/argosctl\.yaml:4:\d+: .*policy-relax cannot be allowed by a rule in argosctl\.yaml/);
    expect(r.stderr).toMatch(/argosctl\.yaml:5:\d+: .*"leave-everything" is not a risk class/);
  });

  it('--policy-from must name a revision the checkout has; never an option', async () => {
    const { cwd } = repository('');
    for (const ref of ['--output=/tmp/x', 'no-such-branch']) {
      const r = await runCliInProcess(['plan', `--policy-from=${ref}`, '--database-url', embedded.url], {
        cwd,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/--policy-from .*(is not a git revision|no such commit in this checkout)/);
    }
  });

  it('--policy-from is in the help and the completion of plan, apply and github comment', async () => {
    const cwd = tempDir();
    for (const argv of [
      ['plan', '--help'],
      ['apply', '--help'],
      ['github', 'comment', '--help'],
    ]) {
      expect((await runCliInProcess(argv, { cwd })).stdout).toMatch(/--policy-from <ref>/);
    }
    for (const shell of ['bash', 'zsh', 'fish']) {
      expect((await runCliInProcess(['completion', shell], { cwd })).stdout).toMatch(/policy-from/);
    }
  });
});
