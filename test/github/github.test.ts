// The GitHub side over real HTTP against a local stand-in: one plan comment updated in place,
// retries on 502 and secondary rate limits, validation errors shown instead of a plan, long plans
// cut under the limit, the commit status, the drift issue's life, and no secret sent. Only our own
// comment and issue are ever edited; 401/403/422/500/unreachable are one clear line without the token.
// The state is in PostgreSQL databases from the template (the dialect is not the point here).
import { sealCanaryKeys } from '../helpers/canary-keys.js';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateProjects } from '../../src/bench/generate.js';
import { githubClient } from '../../src/github/client.js';
import { GITHUB_COMMENT_LIMIT } from '../../src/github/comment-body.js';
import { DRIFT_LABEL, DRIFT_MARKER, syncDriftIssue } from '../../src/github/drift-issue.js';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { useCliDatabase, useFreshDatabaseUrls } from '../helpers/databases.js';
import { GithubStandIn } from '../helpers/github-standin.js';
import { createPGlite } from '../helpers/pglite.js';

const TOKEN = 'ghs_canaryTokenValue123';
const CANARY = Buffer.from('feedfacecafebeef'.repeat(4), 'hex');

type Query = (text: string, params?: unknown[]) => Promise<{ rows: unknown[] }>;

/** Runs `work` on the database at `url`, or on the folder's embedded default without one. */
async function onDatabase<T>(url: string | undefined, cwd: string, work: (query: Query) => Promise<T>): Promise<T> {
  if (url) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await work((text, params) => client.query(text, params));
    } finally {
      await client.end();
    }
  }
  const db = await createPGlite(path.join(cwd, '.argos/db'));
  try {
    return await work((text, params) => db.query(text, params));
  } finally {
    await db.close();
  }
}

describe('GitHub integration against a local stand-in', () => {
  let gh: GithubStandIn;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  const database = useCliDatabase();
  const freshUrl = useFreshDatabaseUrls('memory:');

  beforeAll(async () => {
    gh = await new GithubStandIn().start();
    cwd = tempDir('examples/bank');
    writeFileSync(path.join(cwd, 'event.json'), JSON.stringify({ pull_request: { number: 7 } }));
    env = {
      GITHUB_TOKEN: TOKEN,
      GITHUB_REPOSITORY: 'acme/idv',
      GITHUB_EVENT_PATH: path.join(cwd, 'event.json'),
      GITHUB_SHA: 'a'.repeat(40),
      GITHUB_API_URL: gh.url,
      GITHUB_STEP_SUMMARY: path.join(cwd, 'summary.md'),
      GITHUB_RUN_ID: '42',
      ARGOSCTL_GITHUB_RETRY_BASE_MS: '10',
      ...database.env,
    };
    // An applied project with canary key material, so the plan has something to say and a secret to keep.
    expect((await runCliInProcess(['apply', '--auto-approve', '--project', 'kbank-prod'], { cwd, env })).code).toBe(0);
    expect(await onDatabase(database.url, cwd, (query) => sealCanaryKeys(query, CANARY))).toBeGreaterThan(0);
  });
  afterAll(async () => {
    await gh.stop();
  });

  it('the first run creates the comment, posts the status and writes the job summary; the next run updates it', async () => {
    const first = await runCliInProcess(['github', 'comment'], { cwd, env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/created the plan comment \d+ on acme\/idv#7/);
    const second = await runCliInProcess(['plan', '--github-comment'], { cwd, env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/updated the plan comment/);
    const comments = gh.comments.get(7)!;
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toMatch(/^<!-- argosctl:plan dir=projects -->\n### argosctl plan/);
    expect(comments[0].body).toMatch(/<details><summary><code>kbank-onboarding<\/code>/);
    expect(gh.statuses.at(-1)).toMatchObject({
      sha: 'a'.repeat(40),
      state: 'success',
      context: 'argosctl/plan',
      description: expect.stringMatching(/^1 to create/),
    });
    expect(readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8')).toMatch(/### argosctl plan/);
  });

  it('retries a 502 and a secondary rate limit', async () => {
    gh.failNext(/^GET .*\/issues\/7\/comments$/, 502, { message: 'Bad Gateway' });
    gh.failNext(
      /^PATCH .*\/issues\/comments\//,
      403,
      { message: 'You have exceeded a secondary rate limit. Please wait.' },
      { 'retry-after': '1' },
    );
    const before = gh.requests.length;
    const r = await runCliInProcess(['github', 'comment'], { cwd, env });
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
      const r = await runCliInProcess(['github', 'comment'], { cwd, env });
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
    const r = await runCliInProcess(['github', 'comment', '--database-url', await freshUrl()], {
      cwd: big,
      env: {
        ...env,
        GITHUB_EVENT_PATH: path.join(big, 'event.json'),
        GITHUB_STEP_SUMMARY: path.join(big, 'summary.md'),
      },
    });
    expect(r.code, r.stderr).toBe(0);
    const body = gh.comments.get(9)![0].body;
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(body).toMatch(
      /\*\*The plan is cut here\*\*.*\[job summary\]\(https:\/\/github\.com\/acme\/idv\/actions\/runs\/42\)/,
    );
    expect((body.match(/<details>/g) ?? []).length).toBe((body.match(/<\/details>/g) ?? []).length);
    expect(readFileSync(path.join(big, 'summary.md'), 'utf8').length).toBeGreaterThan(GITHUB_COMMENT_LIMIT);
  });

  it('the drift issue opens, updates while drift lasts, and closes when it is gone', async () => {
    const stop = await runCliInProcess(['emergency-stop', 'kbank-prod', '--reason', 'drill'], { cwd, env });
    expect(stop.code).toBe(0);
    const opened = await runCliInProcess(['drift', '--github-issue'], { cwd, env });
    expect(opened.code).toBe(2);
    expect(opened.stderr).toMatch(/drift issue #1 opened/);
    expect(gh.issues[0]).toMatchObject({ state: 'open', labels: [{ name: 'argosctl-drift' }] });
    expect(gh.issues[0].body).toMatch(/kbank-prod.*spec\.submissions.*changed in the database outside git/);
    const updated = await runCliInProcess(['drift', '--github-issue'], { cwd, env });
    expect(updated.stderr).toMatch(/drift issue #1 updated/);
    expect(gh.issues).toHaveLength(1);
    expect((await runCliInProcess(['apply', '--auto-approve', '--allow', 'emergency-resume'], { cwd, env })).code).toBe(
      0,
    );
    const closed = await runCliInProcess(['drift', '--github-issue'], { cwd, env });
    expect(closed.code).toBe(0);
    expect(closed.stderr).toMatch(/drift issue #1 closed/);
    expect(gh.issues[0].state).toBe('closed');
  });

  it('never sends a secret: no key material in any request, the token only in the Authorization header', () => {
    expect(gh.requests.length).toBeGreaterThan(10);
    for (const r of gh.requests) {
      for (const form of [CANARY.toString('hex'), CANARY.toString('base64'), CANARY.toString('base64url')])
        expect(r.body).not.toContain(form);
      expect(r.body + r.path).not.toContain(TOKEN);
      expect(r.authorization).toBe(`token ${TOKEN}`);
    }
  });

  it('apply on merge records the commit, its author and the PR number in the audit rows', async () => {
    const merge = tempDir('examples/startup');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: merge, stdio: 'ignore' });
    git('init', '-q');
    git('add', '-A');
    git(
      '-c',
      'user.email=dev@acme.example',
      '-c',
      'user.name=Dev',
      'commit',
      '-qm',
      'Merge pull request #31 from acme/beta',
    );
    const url = await freshUrl();
    const embedded = url === 'memory:'; // no PostgreSQL server: the folder's embedded default
    const r = await runCliInProcess(['apply', '--auto-approve'], {
      cwd: merge,
      env: embedded ? {} : { ARGOS_DATABASE_URL: url },
    });
    expect(r.code, r.stderr).toBe(0);
    const rows = (await onDatabase(
      embedded ? undefined : url,
      merge,
      async (query) => (await query('select distinct pr_number, git_author, git_commit from audit_log')).rows,
    )) as { pr_number: number; git_author: string; git_commit: string }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ pr_number: 31, git_author: 'Dev <dev@acme.example>' });
    expect(rows[0].git_commit).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe('the plan comment and the drift issue are ours only; GitHub failures are one clear line', () => {
  let gh: GithubStandIn;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  const MARKER = '<!-- argosctl:plan dir=projects -->';
  const freshUrl = useFreshDatabaseUrls('memory:');
  const invalidEnv = (pr: number): NodeJS.ProcessEnv => {
    writeFileSync(path.join(cwd, `event-${pr}.json`), JSON.stringify({ pull_request: { number: pr } }));
    return { ...env, GITHUB_EVENT_PATH: path.join(cwd, `event-${pr}.json`) };
  };

  beforeAll(async () => {
    gh = await new GithubStandIn().start();
    // Invalid manifests: `github comment` posts the validation errors without touching a database (fast).
    cwd = tempDir();
    mkdirSync(path.join(cwd, 'projects'));
    writeFileSync(
      path.join(cwd, 'projects/p.yaml'),
      'apiVersion: argosctl/v1\nkind: Project\nmetadata: { id: p, name: P }\nspec: { status: LIVE }\n',
    );
    env = {
      GITHUB_TOKEN: TOKEN,
      GITHUB_REPOSITORY: 'acme/idv',
      GITHUB_API_URL: gh.url,
      ARGOSCTL_GITHUB_RETRY_BASE_MS: '10',
    };
  });
  afterAll(async () => {
    await gh.stop();
  });

  it('a foreign comment carrying the marker stays untouched; ours is created, then updated', async () => {
    gh.viewer = { login: 'argos-ci', canReadUser: true };
    const forged = gh.addComment(11, `${MARKER}\nmallory wrote this`, 'mallory');
    const first = await runCliInProcess(['github', 'comment'], { cwd, env: invalidEnv(11) });
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/posting as argos-ci \(the token's user\)/);
    expect(first.stderr).toMatch(/created the plan comment/);
    const second = await runCliInProcess(['github', 'comment'], { cwd, env: invalidEnv(11) });
    expect(second.stderr).toMatch(/updated the plan comment/);
    const comments = gh.comments.get(11)!;
    expect(comments).toHaveLength(2);
    expect(comments[0]).toEqual({ ...forged, body: `${MARKER}\nmallory wrote this` });
    expect(comments[1]).toMatchObject({
      user: { login: 'argos-ci' },
      body: expect.stringMatching(/the manifests are invalid/),
    });
    expect(gh.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/comments/${forged.id}`))).toHaveLength(
      0,
    );
  });

  it('when GET /user is refused (the GITHUB_TOKEN of Actions) it posts as github-actions[bot] and updates only that comment', async () => {
    gh.viewer = { login: 'argos-ci', canReadUser: false };
    const other = gh.addComment(12, `${MARKER}\nold`, 'argos-ci');
    const bots = gh.addComment(12, `${MARKER}\nold`, 'github-actions[bot]');
    const r = await runCliInProcess(['github', 'comment'], { cwd, env: invalidEnv(12) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/posting as github-actions\[bot\] \(GET \/user is not allowed/);
    expect(r.stderr).toMatch(new RegExp(`updated the plan comment ${bots.id} `));
    expect(gh.comments.get(12)).toHaveLength(2);
    expect(gh.comments.get(12)![0]).toEqual({ ...other, body: `${MARKER}\nold` });
    expect(gh.comments.get(12)![1].body).toMatch(/the manifests are invalid/);
  });

  it('--comment-author names the account: plan --github-comment updates its comment and does not ask GET /user', async () => {
    gh.viewer = { login: 'argos-ci', canReadUser: true };
    const valid = tempDir('examples/startup');
    writeFileSync(path.join(valid, 'event.json'), JSON.stringify({ pull_request: { number: 13 } }));
    gh.addComment(13, `${MARKER}\nnot ours`, 'argos-ci');
    const ours = gh.addComment(13, `${MARKER}\nold`, 'deploy-bot');
    const before = gh.requests.length;
    const r = await runCliInProcess(
      ['plan', '--github-comment', '--comment-author', 'deploy-bot', '--database-url', await freshUrl()],
      { cwd: valid, env: { ...env, GITHUB_EVENT_PATH: path.join(valid, 'event.json') } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(`posting as deploy-bot \\(--comment-author\\)[\\s\\S]*updated the plan comment ${ours.id} `),
    );
    expect(gh.comments.get(13)!.map((c) => c.body)).toEqual([
      `${MARKER}\nnot ours`,
      expect.stringMatching(/### argosctl plan/),
    ]);
    expect(gh.requests.slice(before).some((q) => q.path === '/user')).toBe(false);
  });

  it('the drift issue: a foreign issue with the label and the marker is left alone; ours is opened, updated, closed', async () => {
    // A client per sync, as each `drift --github-issue` run has its own.
    const client = () => githubClient({ token: TOKEN, owner: 'acme', repo: 'idv', apiUrl: gh.url });
    const githubEnv = { token: TOKEN, owner: 'acme', repo: 'idv', apiUrl: gh.url };
    gh.issues.push({
      number: 1,
      title: 'forged',
      body: `${DRIFT_MARKER}\nmallory`,
      state: 'open',
      labels: [{ name: DRIFT_LABEL }],
      user: { login: 'mallory' },
    });
    const me = { login: 'argos-ci', source: 'token' } as const;
    expect(await syncDriftIssue(client(), githubEnv, '### drift', me)).toEqual({ action: 'opened', number: 2 });
    expect(await syncDriftIssue(client(), githubEnv, '### more drift', me)).toEqual({ action: 'updated', number: 2 });
    expect(await syncDriftIssue(client(), githubEnv, undefined, me)).toEqual({ action: 'closed', number: 2 });
    expect(gh.issues[0]).toMatchObject({ body: `${DRIFT_MARKER}\nmallory`, state: 'open' });
    expect(gh.issues[1]).toMatchObject({ user: { login: 'argos-ci' }, state: 'closed' });
  });

  const closedPort = async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    return port;
  };
  const failures: [string, () => Promise<NodeJS.ProcessEnv | void>, RegExp][] = [
    [
      '401',
      async () =>
        gh.failNext(/^GET \/user$/, 401, {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest',
        }),
      /^error: GitHub refused GET \/user \(401 Bad credentials\)$/,
    ],
    [
      '403',
      async () => gh.failNext(/^POST .*\/comments$/, 403, { message: 'Resource not accessible by integration' }),
      /^error: GitHub refused POST \/repos\/acme\/idv\/issues\/14\/comments \(403 Resource not accessible by integration\)$/,
    ],
    [
      '422, with a message that echoes the token and an ANSI escape',
      async () => gh.failNext(/^POST .*\/comments$/, 422, { message: `Validation Failed for ${TOKEN} \u001b[31m` }),
      /^error: GitHub refused POST \/repos\/acme\/idv\/issues\/14\/comments \(422 Validation Failed for \[REDACTED\] \\x1b\[31m\)$/,
    ],
    [
      '500 (after the retries)',
      async () => {
        for (let i = 0; i < 4; i++) gh.failNext(/^GET .*\/comments$/, 500, { message: 'Server Error' });
      },
      /^error: GitHub failed on GET \/repos\/acme\/idv\/issues\/14\/comments \(500 Server Error\)$/,
    ],
    [
      'unreachable (a closed port)',
      async () => ({ GITHUB_API_URL: `http://127.0.0.1:${await closedPort()}` }),
      /^error: cannot reach the GitHub API at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/,
    ],
  ];
  it.each(failures)('GitHub %s: exit 1, one clear line, no stack trace, no token', async (_name, arrange, line) => {
    gh.viewer = { login: 'argos-ci', canReadUser: true };
    const extra = (await arrange()) ?? {};
    const r = await runCliInProcess(['github', 'comment'], { cwd, env: { ...invalidEnv(14), ...extra } });
    expect(r.code).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
    expect(errors, r.stderr).toHaveLength(1);
    expect(errors[0]).toMatch(line);
    expect(r.stderr).toMatch(/\n {2}hint: \S/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    expect(gh.comments.get(14) ?? []).toHaveLength(0);
  });

  it('with --format json a GitHub failure still leaves exactly one JSON document on stdout', async () => {
    gh.failNext(/^GET \/user$/, 401, { message: 'Bad credentials' });
    const valid = tempDir('examples/startup');
    writeFileSync(path.join(valid, 'event.json'), JSON.stringify({ pull_request: { number: 15 } }));
    const r = await runCliInProcess(
      ['plan', '--github-comment', '--format', 'json', '--database-url', await freshUrl()],
      {
        cwd: valid,
        env: { ...env, GITHUB_EVENT_PATH: path.join(valid, 'event.json') },
      },
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toHaveProperty('formatVersion');
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toEqual([
      'error: GitHub refused GET /user (401 Bad credentials)',
    ]);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });
});
