// The standard GitHub Actions environment, read in one place. The token is kept out of every
// message this module builds.
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.js';

export interface GithubEnv {
  token: string;
  owner: string;
  repo: string;
  apiUrl: string;
  sha?: string;
  prNumber?: number;
  stepSummary?: string;
  runUrl?: string;
}

export function readGithubEnv(env: NodeJS.ProcessEnv, needPr: boolean): GithubEnv {
  const token = env.GITHUB_TOKEN;
  const repository = env.GITHUB_REPOSITORY;
  if (!token) {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the hint shows GitHub's own expression syntax
    throw new UserError('GITHUB_TOKEN is not set', 'in a workflow: env: { GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }} }');
  }
  if (!repository || !/^[^/]+\/[^/]+$/.test(repository))
    throw new UserError('GITHUB_REPOSITORY is not set to owner/repo');
  const [owner, repo] = repository.split('/');
  let prNumber: number | undefined;
  if (env.GITHUB_EVENT_PATH) {
    try {
      const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
      const n = event.pull_request?.number ?? event.issue?.number ?? event.number;
      if (Number.isInteger(n)) prNumber = n;
    } catch {
      throw new UserError(`cannot read the event payload at GITHUB_EVENT_PATH (${env.GITHUB_EVENT_PATH})`);
    }
  }
  if (needPr && prNumber === undefined)
    throw new UserError(
      'no pull request number in the event payload (GITHUB_EVENT_PATH)',
      'run this on pull_request events',
    );
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  return {
    token,
    owner,
    repo,
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    sha: env.GITHUB_SHA,
    prNumber,
    stepSummary: env.GITHUB_STEP_SUMMARY,
    runUrl: env.GITHUB_RUN_ID ? `${server}/${repository}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
  };
}
