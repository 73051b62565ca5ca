// Shared by `github comment` and `plan --github-comment`: comment, job summary, commit status.
import { githubClient, type GithubClient } from '../github/client.js';
import { commentMarker, diagnosticsMarkdown, planCommentBody } from '../github/comment-body.js';
import { readGithubEnv, type GithubEnv } from '../github/github-env.js';
import { withGithubErrors } from '../github/github-error.js';
import { describeIdentity, postingIdentity, type PostingIdentity } from '../github/identity.js';
import { postStatus, upsertComment, writeStepSummary } from '../github/publish-plan.js';
import type { Diagnostic } from '../manifest/diagnostic.js';
import type { Plan } from '../plan/plan-types.js';
import { escapeTerminal } from '../render/escape-terminal.js';
import { renderPlanMarkdown } from '../render/plan-markdown.js';
import type { CliContext } from './context.js';

/** The client, the environment and who we post as; every GitHub failure becomes one clear line. */
export async function withGithub<T>(
  ctx: CliContext,
  needPr: boolean,
  commentAuthor: string | undefined,
  work: (client: GithubClient, env: GithubEnv, author: PostingIdentity) => Promise<T>,
): Promise<T> {
  const env = readGithubEnv(ctx.env, needPr);
  const client = githubClient(env, {
    onRetry: (m) => ctx.err(`github: ${m}\n`),
    retryAfterBaseValue: ctx.env.ARGOSCTL_GITHUB_RETRY_BASE_MS
      ? Number(ctx.env.ARGOSCTL_GITHUB_RETRY_BASE_MS)
      : undefined,
  });
  return withGithubErrors(env, async () => {
    const author = await postingIdentity(client, commentAuthor);
    ctx.err(`github: posting ${escapeTerminal(describeIdentity(author))}\n`);
    return work(client, env, author);
  });
}

/** What was posted: the document `github comment --format json` prints. */
export interface PublishedPlan {
  repository: string;
  pullRequest: number;
  comment: { id: number; created: boolean };
  status?: { context: string; state: 'success' | 'failure'; description: string };
  valid: boolean;
}

export async function publishPlan(
  ctx: CliContext,
  input: { dir: string; plan?: Plan; diagnostics?: readonly Diagnostic[]; commentAuthor?: string },
): Promise<PublishedPlan> {
  return withGithub(ctx, true, input.commentAuthor, async (client, env, author) => {
    const full = input.plan ? renderPlanMarkdown(input.plan) : diagnosticsMarkdown(input.diagnostics ?? []);
    writeStepSummary(env, full);
    const body = planCommentBody({ ...input, sha: env.sha, runUrl: env.runUrl });
    const { created, id } = await upsertComment(client, env, env.prNumber!, commentMarker(input.dir), body, author);
    ctx.err(
      `github: ${created ? 'created' : 'updated'} the plan comment ${id} on ${env.owner}/${env.repo}#${env.prNumber}\n`,
    );
    let status: PublishedPlan['status'];
    if (input.plan) {
      const s = input.plan.summary;
      const text =
        input.plan.changes.length === 0
          ? 'No changes'
          : `${s.create} to create, ${s.update} to update, ${s.add} to add, ${s.remove} to remove${s.risky ? `; ${s.risky} risky` : ''}${s.billing ? `; ${s.billing} billing` : ''}`;
      status = await postStatus(client, env, 'success', text);
    } else {
      status = await postStatus(
        client,
        env,
        'failure',
        `${input.diagnostics?.length ?? 0} problem(s) in the manifests`,
      );
    }
    return {
      repository: `${env.owner}/${env.repo}`,
      pullRequest: env.prNumber!,
      comment: { id, created },
      ...(status ? { status } : {}),
      valid: input.plan !== undefined,
    };
  });
}
