// argosctl drift: what differs between manifests and database, and on which side it changed.
import { Command } from 'commander';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { classifyDrift } from '../../drift/classify-drift.js';
import { driftCheckOf, recordDriftCheck } from '../../drift/drift-check-record.js';
import { readApplyHistory, replayAudit } from '../../drift/audit-replay.js';
import { syncDriftIssue } from '../../github/drift-issue.js';
import { buildPlan } from '../../plan/build-plan.js';
import { renderDriftMarkdown, renderDriftText } from '../../render/drift.js';
import type { CliContext } from '../context.js';
import { ExitCode } from '../../errors.js';
import { checkBeforeCreating, loadAgainstDatabase } from '../load-desired.js';
import { withGithub } from '../github-publish.js';
import { commentAuthorOption, databaseOption, dirOption, formatOption, noCacheOption } from '../options.js';
import { jsonDocument } from '../../render/json-document.js';

export function driftCommand(ctx: CliContext): Command {
  return new Command('drift')
    .description('compare the database with the manifests; tell git-side from database-side changes; exit 2 on drift')
    .addOption(dirOption())
    .addOption(formatOption(['text', 'markdown', 'json']))
    .option('--github-issue', "open, update or close the repository's drift issue")
    .addOption(commentAuthorOption())
    .addOption(databaseOption())
    .addOption(noCacheOption())
    .action(
      async (opts: {
        dir: string;
        format: string;
        githubIssue?: boolean;
        databaseUrl?: string;
        commentAuthor?: string;
        cache: boolean;
      }) => {
        const url = resolveDatabaseUrl(opts.databaseUrl);
        const checked = await checkBeforeCreating(ctx, url, opts);
        const { items, unmanaged } = await withDatabase(url, async ({ db }) => {
          // A project whose rows changed behind the tool has a new revision: it is never skipped.
          const { manifests, readState } = await loadAgainstDatabase(ctx, db, { ...opts, checked });
          const state = await readState(db);
          const plan = buildPlan({ manifests, state, git: {}, now: new Date(), allowReopen: true });
          const desired = new Map(manifests.projects.map((p) => [p.settings.id, p.settings]));
          const items = classifyDrift(plan.changes, desired, state.projects, replayAudit(await readApplyHistory(db)));
          // the dashboard's "last drift check"; a read-only role leaves it unrecorded, the check stands
          const recorded = await recordDriftCheck(db, driftCheckOf(items, plan.unmanaged));
          if (!recorded.recorded) ctx.err(`note: drift result not recorded for the dashboard: ${recorded.reason}\n`);
          return { items, unmanaged: plan.unmanaged };
        });
        if (opts.format === 'json') ctx.out(jsonDocument('drift', { drift: items.length > 0, items, unmanaged }));
        else ctx.out(opts.format === 'markdown' ? renderDriftMarkdown(items) : renderDriftText(items));
        if (opts.githubIssue) {
          const r = await withGithub(ctx, false, opts.commentAuthor, (client, env, author) =>
            syncDriftIssue(client, env, items.length ? renderDriftMarkdown(items) : undefined, author),
          );
          if (r.action !== 'none') ctx.err(`github: drift issue #${r.number} ${r.action}\n`);
        }
        if (items.length) throw new ExitCode(2);
      },
    );
}
