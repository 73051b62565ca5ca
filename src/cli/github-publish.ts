// Shared by `github comment` and `plan --github-comment`: comment, job summary, commit status.
import { githubClient } from '../github/client.js';
import { commentMarker, diagnosticsMarkdown, planCommentBody } from '../github/comment-body.js';
import { readGithubEnv } from '../github/github-env.js';
import { postStatus, upsertComment, writeStepSummary } from '../github/publish-plan.js';
import type { Diagnostic } from '../manifest/diagnostic.js';
import type { Plan } from '../plan/plan-types.js';
import { renderPlanMarkdown } from '../render/plan-markdown.js';
import type { CliContext } from './context.js';

export async function publishPlan(ctx: CliContext, input: { dir: string; plan?: Plan; diagnostics?: readonly Diagnostic[] }): Promise<void> {
  const env = readGithubEnv(ctx.env, true);
  const client = githubClient(env, {
    onRetry: (m) => ctx.err(`github: ${m}\n`),
    retryAfterBaseValue: ctx.env.ARGOSCTL_GITHUB_RETRY_BASE_MS ? Number(ctx.env.ARGOSCTL_GITHUB_RETRY_BASE_MS) : undefined,
  });
  const full = input.plan ? renderPlanMarkdown(input.plan) : diagnosticsMarkdown(input.diagnostics ?? []);
  writeStepSummary(env, full);
  const body = planCommentBody({ ...input, sha: env.sha, runUrl: env.runUrl });
  const { created, id } = await upsertComment(client, env, env.prNumber!, commentMarker(input.dir), body);
  ctx.err(`github: ${created ? 'created' : 'updated'} the plan comment ${id} on ${env.owner}/${env.repo}#${env.prNumber}\n`);
  if (input.plan) {
    const s = input.plan.summary;
    const text = input.plan.changes.length === 0 ? 'No changes'
      : `${s.create} to create, ${s.update} to update, ${s.add} to add, ${s.remove} to remove${s.risky ? `; ${s.risky} risky` : ''}${s.billing ? `; ${s.billing} billing` : ''}`;
    await postStatus(client, env, 'success', text);
  } else {
    await postStatus(client, env, 'failure', `${input.diagnostics?.length ?? 0} problem(s) in the manifests`);
  }
}
