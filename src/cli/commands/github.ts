// argosctl github comment: the plan (or the validation errors) on the pull request.
import { Command } from 'commander';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { readState } from '../../db/read-state.js';
import { hasErrors } from '../../manifest/diagnostic.js';
import { readManifests } from '../../validate/read-manifests.js';
import { buildPlan } from '../../plan/build-plan.js';
import type { CliContext } from '../context.js';
import { ExitCode } from '../../errors.js';
import { readGitInfo } from '../git-info.js';
import { publishPlan, type PublishedPlan } from '../github-publish.js';
import { commentAuthorOption, databaseOption, dirOption, formatOption } from '../options.js';
import { jsonDocument } from '../../render/json-document.js';
import { policyFromOption, trustedPolicy } from '../policy-from.js';
import { readTrafficWindow, trafficWindowOption } from '../traffic-window.js';

export function githubCommand(ctx: CliContext): Command {
  const github = new Command('github').description(
    'GitHub integration (uses GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_SHA, GITHUB_API_URL)',
  );
  github
    .command('comment')
    .description(
      'post the plan on the pull request: one comment, updated in place; job summary; commit status argosctl/plan',
    )
    .addOption(dirOption())
    .option('--allow-reopen', 'allow moving a CLOSE project to another status')
    .addOption(databaseOption())
    .addOption(commentAuthorOption())
    .addOption(policyFromOption())
    .addOption(trafficWindowOption())
    .addOption(formatOption(['text', 'json']))
    .action(
      async (opts: {
        dir: string;
        allowReopen?: boolean;
        databaseUrl?: string;
        commentAuthor?: string;
        policyFrom?: string;
        trafficWindow: number;
        format: 'text' | 'json';
      }) => {
        // The text face reports on stderr as it posts; the JSON face also prints what was posted.
        const report = (posted: PublishedPlan) => {
          if (opts.format === 'json') ctx.out(jsonDocument('github-comment', posted));
        };
        const manifests = await readManifests(opts.dir);
        if (hasErrors(manifests.diagnostics)) {
          report(
            await publishPlan(ctx, {
              dir: opts.dir,
              diagnostics: manifests.diagnostics,
              commentAuthor: opts.commentAuthor,
            }),
          );
          throw new ExitCode(1);
        }
        const policy = await trustedPolicy(ctx, opts.policyFrom, manifests, opts.dir);
        const url = resolveDatabaseUrl(opts.databaseUrl);
        const plan = await withDatabase(url, async ({ db }) =>
          buildPlan({
            manifests,
            state: await readState(db),
            git: readGitInfo(ctx.cwd, ctx.env),
            now: new Date(),
            allowReopen: opts.allowReopen,
            policy,
            traffic: await readTrafficWindow(db, url, ctx.cwd, opts.trafficWindow),
          }),
        );
        report(
          await publishPlan(ctx, {
            dir: opts.dir,
            plan,
            diagnostics: plan.diagnostics,
            commentAuthor: opts.commentAuthor,
          }),
        );
        if (plan.diagnostics.length) throw new ExitCode(1);
      },
    );
  return github;
}
