// argosctl plan: compare manifests with the database and print what apply would change.
import { Command, Option } from 'commander';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { buildPlan } from '../../plan/build-plan.js';
import type { Plan } from '../../plan/plan-types.js';
import { renderDiagnosticsText } from '../../render/diagnostics.js';
import { escapeTerminal as t } from '../../render/escape-terminal.js';
import { renderPlanMarkdown } from '../../render/plan-markdown.js';
import { renderPlanText } from '../../render/plan-text.js';
import { summariseRepeated } from '../../render/repeated-warnings.js';
import type { CliContext } from '../context.js';
import { ExitCode } from '../../errors.js';
import { actorName, readGitInfo, readWorktreeState } from '../git-info.js';
import { assertKnownProjects } from '../known-projects.js';
import { checkBeforeCreating, loadAgainstDatabase } from '../load-desired.js';
import {
  commentAuthorOption,
  databaseOption,
  dirOption,
  formatOption,
  noCacheOption,
  projectOption,
  verboseOption,
} from '../options.js';
import { writePlanFile } from '../plan-file.js';
import { policyFromOption, trustedPolicy } from '../policy-from.js';
import { rootToRecord } from '../../config/recorded-root.js';
import { planDocument } from '../../render/json-document.js';
import { readTrafficWindow, trafficWindowOption } from '../traffic-window.js';

export interface PlanOptions {
  dir: string;
  out?: string;
  format: 'text' | 'markdown' | 'json';
  detailedExitcode?: boolean;
  project: string[];
  allowReopen?: boolean;
  databaseUrl?: string;
  githubComment?: boolean;
  commentAuthor?: string;
  strict?: boolean;
  cache: boolean;
  policyFrom?: string;
  verbose?: boolean;
  trafficWindow: number;
}

/** `verbose`: every warning; else a rule repeated across many projects once, in every format. */
export function renderPlan(plan: Plan, format: string, ctx: CliContext, verbose = false): string {
  if (format === 'json')
    return planDocument(plan.warnings ? { ...plan, warnings: summariseRepeated(plan.warnings, verbose) } : plan);
  if (format === 'markdown') return renderPlanMarkdown(plan, verbose);
  return renderPlanText(plan, ctx.style, verbose);
}

export function planCommand(ctx: CliContext): Command {
  return new Command('plan')
    .description('read manifests and database, print the changes apply would make; writes nothing to the database')
    .addOption(dirOption())
    .option('--out <file>', 'save the plan for `argosctl apply FILE`')
    .addOption(formatOption(['text', 'markdown', 'json']))
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are')
    .addOption(projectOption())
    .addOption(new Option('--allow-reopen', 'allow moving a CLOSE project to another status'))
    .option('--strict', 'treat lint warnings as errors')
    .option('--github-comment', 'also post the plan on the pull request (like `argosctl github comment`)')
    .addOption(commentAuthorOption())
    .addOption(policyFromOption())
    .addOption(trafficWindowOption())
    .addOption(databaseOption())
    .addOption(noCacheOption())
    .addOption(verboseOption())
    .action(async (opts: PlanOptions) => {
      const url = resolveDatabaseUrl(opts.databaseUrl);
      const checked = await checkBeforeCreating(ctx, url, opts);
      const plan = await withDatabase(url, async ({ db }) => {
        const { manifests, readState } = await loadAgainstDatabase(ctx, db, { ...opts, checked });
        const state = await readState(db, opts.project.length ? opts.project : undefined);
        assertKnownProjects(opts.project, manifests, state);
        const policy = await trustedPolicy(ctx, opts.policyFrom, manifests, opts.dir);
        const only = opts.project.length ? opts.project : undefined;
        const traffic = await readTrafficWindow(db, url, ctx.cwd, opts.trafficWindow, only);
        return buildPlan({
          manifests,
          state,
          git: { ...readGitInfo(ctx.cwd, ctx.env), ...readWorktreeState(ctx.cwd, opts.dir) },
          now: new Date(),
          only: opts.project,
          allowReopen: opts.allowReopen,
          strict: opts.strict,
          policy,
          traffic,
        });
      });
      ctx.out(renderPlan(plan, opts.format, ctx, opts.verbose));
      if (plan.git.dirty)
        ctx.err(
          ctx.errStyle.yellow(
            `note: the manifest folder differs from commit ${t(plan.git.commit?.slice(0, 7) ?? '(none)')} (${plan.git.dirtyFiles?.length ?? 0} file(s)); the plan records it, apply in CI refuses it\n`,
          ),
        );
      // Imported only when asked for: octokit is not loaded for an ordinary plan.
      if (opts.githubComment)
        await (await import('../github-publish.js')).publishPlan(ctx, {
          dir: opts.dir,
          plan,
          diagnostics: plan.diagnostics,
          commentAuthor: opts.commentAuthor,
        });
      if (plan.diagnostics.length) {
        if (opts.format !== 'json') ctx.err(renderDiagnosticsText(plan.diagnostics, ctx.errStyle, opts.verbose));
        throw new ExitCode(1);
      }
      if (opts.out) {
        await writePlanFile(opts.out, { ...plan, manifestDir: rootToRecord(opts.dir, ctx.cwd) });
        ctx.err(
          `Saved the plan to ${t(opts.out)} (planned by ${t(actorName(ctx.env))}); apply it with: argosctl apply ${t(opts.out)}\n`,
        );
      }
      if (opts.detailedExitcode && plan.changes.length > 0) throw new ExitCode(2);
    });
}
