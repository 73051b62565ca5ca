// One drift issue per repository: opened when drift appears, updated while it lasts, closed when
// it is gone. Found again by a hidden marker, and only among issues argosctl opened itself.
import type { GithubClient } from './client.js';
import type { GithubEnv } from './github-env.js';
import { fitComment } from './comment-body.js';
import { isAuthor, type PostingIdentity } from './identity.js';

export const DRIFT_MARKER = '<!-- argosctl:drift -->';
export const DRIFT_LABEL = 'argosctl-drift';

export type DriftIssueAction = 'opened' | 'updated' | 'closed' | 'none';

export async function syncDriftIssue(
  client: GithubClient,
  env: GithubEnv,
  markdown: string | undefined,
  author: PostingIdentity,
): Promise<{ action: DriftIssueAction; number?: number }> {
  const open = await client.paginate(client.rest.issues.listForRepo, {
    owner: env.owner,
    repo: env.repo,
    state: 'open',
    labels: DRIFT_LABEL,
    per_page: 100,
  });
  const existing = open.find((i) => i.body?.includes(DRIFT_MARKER) && !i.pull_request && isAuthor(i.user, author));
  if (markdown === undefined) {
    if (!existing) return { action: 'none' };
    await client.rest.issues.createComment({
      owner: env.owner,
      repo: env.repo,
      issue_number: existing.number,
      body: 'The database matches the manifests again; closing.',
    });
    await client.rest.issues.update({
      owner: env.owner,
      repo: env.repo,
      issue_number: existing.number,
      state: 'closed',
      state_reason: 'completed',
    });
    return { action: 'closed', number: existing.number };
  }
  const body = fitComment(`${DRIFT_MARKER}\n${markdown}`, 'Run `argosctl drift` for the full list.');
  if (existing) {
    await client.rest.issues.update({ owner: env.owner, repo: env.repo, issue_number: existing.number, body });
    return { action: 'updated', number: existing.number };
  }
  const { data } = await client.rest.issues.create({
    owner: env.owner,
    repo: env.repo,
    title: 'argosctl: the database drifted from the manifests',
    body,
    labels: [DRIFT_LABEL],
  });
  return { action: 'opened', number: data.number };
}
