// Publishes a plan on a pull request: one comment updated in place, the job summary, and the
// `argosctl/plan` commit status. Only a comment argosctl wrote itself is ever edited: a comment
// by anyone else that carries the marker (copied, quoted, forged) stays as it is.
import { appendFileSync } from 'node:fs';
import type { GithubClient } from './client.js';
import type { GithubEnv } from './github-env.js';
import { isAuthor, type PostingIdentity } from './identity.js';
import { LIMITS } from '../manifest/limits.js';

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

/** The commit status argosctl/plan on GITHUB_SHA (none without it): what was set. */
export async function postStatus<State extends 'success' | 'failure' | 'error'>(
  client: GithubClient,
  env: GithubEnv,
  state: State,
  description: string,
): Promise<{ context: string; state: State; description: string } | undefined> {
  if (!env.sha) return undefined;
  const fitted = description.length > 140 ? `${description.slice(0, 139)}…` : description;
  await client.rest.repos.createCommitStatus({
    owner: env.owner,
    repo: env.repo,
    sha: env.sha,
    state,
    context: STATUS_CONTEXT,
    description: fitted,
    ...(env.runUrl ? { target_url: env.runUrl } : {}),
  });
  return { context: STATUS_CONTEXT, state, description: fitted };
}

export function writeStepSummary(env: GithubEnv, markdown: string): void {
  if (env.stepSummary) appendFileSync(env.stepSummary, fitJobSummary(markdown) + '\n');
}

/** The summary cut at LIMITS.jobSummaryBytes (GitHub's step summary limit), on a line break, with a note. */
export function fitJobSummary(markdown: string): string {
  const limit = LIMITS.jobSummaryBytes;
  if (markdown.length <= limit / 4 || Buffer.byteLength(markdown) <= limit) return markdown;
  const room = limit - 1_000; // for the note and closing tags
  let cut = Buffer.from(markdown)
    .subarray(0, room)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  cut = cut.slice(0, Math.max(cut.lastIndexOf('\n'), 0));
  const open = (cut.match(/<details>/g) ?? []).length - (cut.match(/<\/details>/g) ?? []).length;
  return `${cut}\n${'\n</details>\n'.repeat(Math.max(open, 0))}\n---\n**The summary is cut here**: ${Buffer.byteLength(cut).toLocaleString('en')} of ${Buffer.byteLength(markdown).toLocaleString('en')} bytes shown (argosctl writes at most ${limit.toLocaleString('en')} bytes, GitHub's limit); \`argosctl plan\` or \`validate\` prints everything.\n`;
}
