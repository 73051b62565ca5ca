// The GitHub side over real HTTP against a local stand-in: one plan comment updated in place,
// retries on 502 and secondary rate limits, validation errors shown instead of a plan, long plans
// cut under the limit, the commit status, the drift issue's life, and no secret sent.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateProjects } from '../../src/bench/generate.js';
import { GITHUB_COMMENT_LIMIT } from '../../src/github/comment-body.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { GithubStandIn } from '../helpers/github-standin.js';

const TOKEN = 'ghs_canaryTokenValue123';
const CANARY = Buffer.from('feedfacecafebeef'.repeat(4), 'hex');

describe('GitHub integration against a local stand-in', () => {
  let gh: GithubStandIn;
  let cwd: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    gh = await new GithubStandIn().start();
    cwd = tempDir('examples/bank');
    writeFileSync(path.join(cwd, 'event.json'), JSON.stringify({ pull_request: { number: 7 } }));
    env = {
      GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: 'acme/idv', GITHUB_EVENT_PATH: path.join(cwd, 'event.json'), GITHUB_SHA: 'a'.repeat(40),
      GITHUB_API_URL: gh.url, GITHUB_STEP_SUMMARY: path.join(cwd, 'summary.md'), GITHUB_RUN_ID: '42', ARGOSCTL_GITHUB_RETRY_BASE_MS: '10',
    };
    // An applied project with canary key material, so the plan has something to say and a secret to keep.
    expect((await runCli(['apply', '--auto-approve', '--project', 'kbank-prod'], { cwd })).code).toBe(0);
    const db = await PGlite.create(path.join(cwd, '.argos/db'));
    await db.query('update encryption_keys set material = $1', [CANARY]);
    await db.close();
  });
  afterAll(async () => { await gh.stop(); });

  it('the first run creates the comment, posts the status and writes the job summary; the next run updates it', async () => {
    const first = await runCli(['github', 'comment'], { cwd, env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/created the plan comment \d+ on acme\/idv#7/);
    const second = await runCli(['plan', '--github-comment'], { cwd, env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/updated the plan comment/);
    const comments = gh.comments.get(7)!;
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toMatch(/^<!-- argosctl:plan dir=projects -->\n### argosctl plan/);
    expect(comments[0].body).toMatch(/<details><summary><code>kbank-onboarding<\/code>/);
    expect(gh.statuses.at(-1)).toMatchObject({ sha: 'a'.repeat(40), state: 'success', context: 'argosctl/plan', description: expect.stringMatching(/^1 to create/) });
    expect(readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8')).toMatch(/### argosctl plan/);
  });

  it('retries a 502 and a secondary rate limit', async () => {
    gh.failNext(/^GET .*\/issues\/7\/comments$/, 502, { message: 'Bad Gateway' });
    gh.failNext(/^PATCH .*\/issues\/comments\//, 403, { message: 'You have exceeded a secondary rate limit. Please wait.' }, { 'retry-after': '1' });
    const before = gh.requests.length;
    const r = await runCli(['github', 'comment'], { cwd, env });
    expect(r.code, r.stderr).toBe(0);
    const calls = gh.requests.slice(before).map((q) => `${q.method} ${q.path.replace(/\?.*/, '')}`);
    expect(calls.filter((c) => /GET .*comments/.test(c))).toHaveLength(2);
    expect(calls.filter((c) => /PATCH/.test(c))).toHaveLength(2);
    expect(r.stderr).toMatch(/secondary rate limit/);
    expect(gh.comments.get(7)).toHaveLength(1);
  });

  it('shows the validation errors instead of a plan, with a failing status and exit 1', async () => {
    const manifest = path.join(cwd, 'projects/kbank-onboarding.yaml');
    const original = readFileSync(manifest, 'utf8');
    writeFileSync(manifest, original.replace('status: TEST', 'status: LIVE'));
    try {
      const r = await runCli(['github', 'comment'], { cwd, env });
      expect(r.code).toBe(1);
      expect(gh.comments.get(7)).toHaveLength(1);
      expect(gh.comments.get(7)![0].body).toMatch(/the manifests are invalid[\s\S]*kbank-onboarding\.yaml:\d+:\d+/);
      expect(gh.statuses.at(-1)).toMatchObject({ state: 'failure' });
    } finally {
      writeFileSync(manifest, original);
    }
  });

  it('cuts a comment over 65,536 characters with a note pointing at the job summary', async () => {
    const big = tempDir();
    generateProjects(path.join(big, 'projects'), 400);
    writeFileSync(path.join(big, 'event.json'), JSON.stringify({ number: 9 }));
    const r = await runCli(['github', 'comment', '--database-url', 'memory:'], { cwd: big, env: { ...env, GITHUB_EVENT_PATH: path.join(big, 'event.json'), GITHUB_STEP_SUMMARY: path.join(big, 'summary.md') } });
    expect(r.code, r.stderr).toBe(0);
    const body = gh.comments.get(9)![0].body;
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(body).toMatch(/\*\*The plan is cut here\*\*.*\[job summary\]\(https:\/\/github\.com\/acme\/idv\/actions\/runs\/42\)/);
    expect((body.match(/<details>/g) ?? []).length).toBe((body.match(/<\/details>/g) ?? []).length);
    expect(readFileSync(path.join(big, 'summary.md'), 'utf8').length).toBeGreaterThan(GITHUB_COMMENT_LIMIT);
  });

  it('the drift issue opens, updates while drift lasts, and closes when it is gone', async () => {
    const stop = await runCli(['emergency-stop', 'kbank-prod', '--reason', 'drill'], { cwd });
    expect(stop.code).toBe(0);
    const opened = await runCli(['drift', '--github-issue'], { cwd, env });
    expect(opened.code).toBe(2);
    expect(opened.stderr).toMatch(/drift issue #1 opened/);
    expect(gh.issues[0]).toMatchObject({ state: 'open', labels: [{ name: 'argosctl-drift' }] });
    expect(gh.issues[0].body).toMatch(/kbank-prod.*spec\.submissions.*changed in the database outside git/);
    const updated = await runCli(['drift', '--github-issue'], { cwd, env });
    expect(updated.stderr).toMatch(/drift issue #1 updated/);
    expect(gh.issues).toHaveLength(1);
    expect((await runCli(['apply', '--auto-approve', '--allow', 'emergency-resume'], { cwd })).code).toBe(0);
    const closed = await runCli(['drift', '--github-issue'], { cwd, env });
    expect(closed.code).toBe(0);
    expect(closed.stderr).toMatch(/drift issue #1 closed/);
    expect(gh.issues[0].state).toBe('closed');
  });

  it('never sends a secret: no key material in any request, the token only in the Authorization header', () => {
    expect(gh.requests.length).toBeGreaterThan(10);
    for (const r of gh.requests) {
      for (const form of [CANARY.toString('hex'), CANARY.toString('base64'), CANARY.toString('base64url')]) expect(r.body).not.toContain(form);
      expect(r.body + r.path).not.toContain(TOKEN);
      expect(r.authorization).toBe(`token ${TOKEN}`);
    }
  });

  it('apply on merge records the commit, its author and the PR number in the audit rows', async () => {
    const merge = tempDir('examples/startup');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: merge, stdio: 'ignore' });
    git('init', '-q');
    git('add', '-A');
    git('-c', 'user.email=dev@acme.example', '-c', 'user.name=Dev', 'commit', '-qm', 'Merge pull request #31 from acme/beta');
    const r = await runCli(['apply', '--auto-approve'], { cwd: merge });
    expect(r.code, r.stderr).toBe(0);
    const db = await PGlite.create(path.join(merge, '.argos/db'));
    try {
      const { rows } = await db.query<{ pr_number: number; git_author: string; git_commit: string }>('select distinct pr_number, git_author, git_commit from audit_log');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ pr_number: 31, git_author: 'Dev <dev@acme.example>' });
      expect(rows[0].git_commit).toMatch(/^[0-9a-f]{40}$/);
    } finally {
      await db.close();
    }
  });
});
