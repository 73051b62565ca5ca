// Publishes a plan on a pull request: one comment updated in place, the job summary, and the
// `argosctl/plan` commit status. Only a comment argosctl wrote itself is ever edited: a comment
// by anyone else that carries the marker (copied, quoted, forged) stays as it is.
import { appendFileSync } from 'node:fs';
import type { GithubClient } from './client.js';
import type { GithubEnv } from './github-env.js';
import { isAuthor, type PostingIdentity } from './identity.js';

export const STATUS_CONTEXT = 'argosctl/plan';

/** Finds our comment carrying `marker` and updates it, or creates one. Returns its id and whether it was new. */
export async function upsertComment(
  client: GithubClient,
  env: GithubEnv,
  issueNumber: number,
  marker: string,
  body: string,
  author: PostingIdentity,
): Promise<{ id: number; created: boolean }> {
  const comments = await client.paginate(client.rest.issues.listComments, {
    owner: env.owner,
    repo: env.repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  const existing = comments.find((c) => c.body?.includes(marker) && isAuthor(c.user, author));
  if (existing) {
    await client.rest.issues.updateComment({ owner: env.owner, repo: env.repo, comment_id: existing.id, body });
    return { id: existing.id, created: false };
  }
  const { data } = await client.rest.issues.createComment({
    owner: env.owner,
    repo: env.repo,
    issue_number: issueNumber,
    body,
  });
  return { id: data.id, created: true };
}

export async function postStatus(
  client: GithubClient,
  env: GithubEnv,
  state: 'success' | 'failure' | 'error',
  description: string,
): Promise<void> {
  if (!env.sha) return;
  await client.rest.repos.createCommitStatus({
    owner: env.owner,
    repo: env.repo,
    sha: env.sha,
    state,
    context: STATUS_CONTEXT,
    description: description.length > 140 ? `${description.slice(0, 139)}…` : description,
    ...(env.runUrl ? { target_url: env.runUrl } : {}),
  });
}

export function writeStepSummary(env: GithubEnv, markdown: string): void {
  if (env.stepSummary) appendFileSync(env.stepSummary, markdown + '\n');
}
