// argosctl apply: execute a saved plan, or plan and apply in one locked step. One transaction.
import { Command, Option } from 'commander';
import { lockedApply } from '../../apply/apply-plan.js';
import { describeHolder } from '../../apply/apply-lock.js';
import { refuseOrHold } from '../../apply/guard-plan.js';
import { recomputeSavedPlan } from '../../apply/saved-plan.js';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { recordableSources } from '../../apply/record-sources.js';
import { buildPlan } from '../../plan/build-plan.js';
import { RISK_CLASSES, type Change, type Plan, type Refusal } from '../../plan/plan-types.js';
import { existsSync } from 'node:fs';
import { masterKeySource, resolveMasterKey } from '../../keys/master-key.js';
import { revealNote } from '../../render/master-key-note.js';
import { summaryLine } from '../../render/describe-change.js';
import { renderDiagnosticsText } from '../../render/diagnostics.js';
import { refusalLinesText } from '../../render/refusals.js';
import { confirm } from '../confirm.js';
import type { CliContext } from '../context.js';
import { ExitCode, UserError } from '../../errors.js';
import { actorName, readGitInfo, readWorktreeState } from '../git-info.js';
import { checkDirtyTree } from '../../apply/dirty-tree.js';
import { escapeTerminal } from '../../render/escape-terminal.js';
import { assertKnownProjects } from '../known-projects.js';
import { checkBeforeCreating, loadAgainstDatabase } from '../load-desired.js';
import {
  collect,
  databaseOption,
  dirOption,
  formatOption,
  noCacheOption,
  parseDurationMs,
  projectOption,
} from '../options.js';
import { readPlanFile } from '../plan-file.js';
import { assertSameRoot } from '../../config/recorded-root.js';
import { policyFromOption, trustedPolicy } from '../policy-from.js';
import { readTrafficWindow, trafficWindowOption } from '../traffic-window.js';
import { trafficWarnings } from '../../render/traffic-impact.js';
import { renderPlan } from './plan.js';
import { jsonDocument } from '../../render/json-document.js';
import { sayOnInterrupt, type WritePhase } from '../interrupt.js';

interface ApplyOptions {
  trafficWindow: number;
  dir: string;
  autoApprove?: boolean;
  format: 'text' | 'json';
  lockTimeout: number;
  allow: string[];
  allowReopen?: boolean;
  force?: boolean;
  project: string[];
  databaseUrl?: string;
  cache: boolean;
  policyFrom?: string;
}

/** The held changes as the JSON output lists them under changedOutsideGit. */
function outsideGitJson(held: readonly Change[]) {
  return held.map((c) => ({
    projectId: c.projectId,
    path: c.path,
    value: c.before,
    manifest: c.after,
    ...c.outsideGit,
  }));
}

export function applyCommand(ctx: CliContext): Command {
  return new Command('apply')
    .description('apply a saved plan, or plan and apply; all in one transaction under the apply lock')
    .argument('[planfile]', 'a plan saved by `argosctl plan --out`')
    .addOption(dirOption())
    .option('--auto-approve', 'do not ask for confirmation')
    .addOption(formatOption(['text', 'json']))
    .addOption(
      new Option('--lock-timeout <duration>', 'how long to wait for another apply to finish (0: fail at once)')
        .argParser(parseDurationMs)
        .default(0, '0'),
    )
    .addOption(
      new Option('--allow <class>', `allow a risky change class (repeatable): ${RISK_CLASSES.join(', ')}`)
        .argParser(collect)
        .default([] as string[]),
    )
    .option('--allow-reopen', 'allow moving a CLOSE project to another status (same as --allow leave-close)')
    .option('--force', 'allow plans that change more than 30% of existing projects, or an empty manifest folder')
    .addOption(projectOption())
    .addOption(policyFromOption())
    .addOption(trafficWindowOption())
    .addOption(databaseOption())
    .addOption(noCacheOption())
    .action(async (planfile: string | undefined, opts: ApplyOptions) => {
      const unknown = opts.allow.filter((a) => !(RISK_CLASSES as readonly string[]).includes(a));
      if (unknown.length)
        throw new UserError(`unknown risk class ${unknown.join(', ')}`, `one of: ${RISK_CLASSES.join(', ')}`);
      const allow = new Set([...opts.allow, ...(opts.allowReopen ? ['leave-close'] : [])]);
      const saved = planfile ? await readPlanFile(planfile) : undefined;
      // The manifests are those the current configuration names; the folder a saved plan records is
      // checked against it, never followed (the manifest digest is checked with the plan).
      const dir = opts.dir;
      if (saved) assertSameRoot(saved.manifestDir, dir, ctx.cwd);
      if (!saved && !opts.autoApprove && !ctx.stdinIsTTY) {
        throw new UserError(
          'apply needs confirmation, and there is no terminal to ask',
          'pass --auto-approve, or apply a saved plan file',
        );
      }
      const worktree = readWorktreeState(ctx.cwd, dir);
      const git = { ...readGitInfo(ctx.cwd, ctx.env), ...worktree };
      const dirty = checkDirtyTree(worktree, saved?.git, ctx.env);
      if (dirty.warning) ctx.err(`${ctx.errStyle.yellow(escapeTerminal(dirty.warning))}\n`);
      const applied = dirty.dirty
        ? { ...git, dirty: true, dirtyFiles: worktree.dirtyFiles ?? saved?.git.dirtyFiles ?? [] }
        : git;
      const scope = saved
        ? saved.scope === 'all'
          ? undefined
          : saved.scope
        : opts.project.length
          ? opts.project
          : undefined;
      let held: Refusal[] = [];
      const url = resolveDatabaseUrl(opts.databaseUrl);
      let phase: WritePhase = 'reading';
      const stopWatching = sayOnInterrupt(ctx, 'apply', () => phase);
      const checked = await checkBeforeCreating(ctx, url, { dir, format: opts.format });
      let masterKey: Buffer | undefined;
      const result = await withDatabase(url, async ({ db }) => {
        const { manifests, readState } = await loadAgainstDatabase(ctx, db, {
          dir,
          format: opts.format,
          cache: opts.cache,
          checked,
        });
        const policy = await trustedPolicy(ctx, opts.policyFrom, manifests, dir);
        // Read before the apply transaction: what the changes would refuse is judged on the traffic of now.
        const traffic = await readTrafficWindow(db, url, ctx.cwd, opts.trafficWindow, scope);
        const refuseUnsafe = (plan: Plan) => {
          if (plan.diagnostics.length) {
            ctx.err(renderDiagnosticsText(plan.diagnostics, ctx.errStyle));
            throw new ExitCode(1);
          }
          const declaredProjects = manifests.projects.length + manifests.unchanged.length;
          const verdict = refuseOrHold(plan, {
            allow,
            force: Boolean(opts.force),
            organization: manifests.organization,
            declaredProjects,
            policy,
          });
          held = verdict.holds;
          for (const line of trafficWarnings(plan, policy?.organization ?? manifests.organization))
            ctx.err(`${ctx.errStyle.yellow(escapeTerminal(line))}\n`);
          return verdict;
        };
        return lockedApply(
          db,
          scope,
          (state) => {
            if (saved) return recomputeSavedPlan(saved, manifests, state, policy, undefined, traffic);
            assertKnownProjects(scope, manifests, state);
            return buildPlan({
              manifests,
              state,
              git,
              now: new Date(),
              only: scope,
              allowReopen: allow.has('leave-close'),
              policy,
              traffic,
            });
          },
          {
            actor: actorName(ctx.env),
            git: applied,
            lock: {
              timeoutMs: opts.lockTimeout,
              holder: describeHolder(git.commit),
              onWait: (message) => ctx.err(`apply: ${message}\n`),
            },
            savedPlanDigest: saved?.planDigest,
            onProgress: (message) => {
              // apply-plan reports "writing …" before its first statement and "…; committing" before COMMIT
              if (message.startsWith('writing')) phase = 'writing';
              if (message.endsWith('committing')) phase = 'committing';
              ctx.err(`apply: ${message}\n`);
            },
            masterKeySource: masterKeySource(url, ctx.env),
            masterKey: () => {
              if (masterKey) return masterKey; // read once, not once per secret sealed
              // The embedded database's key file is generated on first use: say where.
              const source = masterKeySource(url, ctx.env);
              const generated = source.kind === 'embedded' && source.file !== undefined && !existsSync(source.file);
              masterKey = resolveMasterKey(url, ctx.env, { generate: true });
              if (generated)
                ctx.err(
                  `apply: generated the master key file ${escapeTerminal(source.file!)} (mode 0600); keep it out of the database's backups\n`,
                );
              return masterKey;
            },
            readState: (tx) => readState(tx, scope, true),
            record: (plan, heldChanges) => recordableSources(manifests, plan, heldChanges),
            check: refuseUnsafe,
            // The plan is shown before anything is written, then progress, then "Applied: …".
            confirm: async (plan) => {
              const approved = Boolean(saved || opts.autoApprove);
              if (approved && opts.format === 'json') return true;
              ctx.out(renderPlan({ ...plan, refusals: held }, 'text', ctx));
              if (approved) return true;
              return plan.changes.length === 0 || confirm('Apply these changes? Only "yes" is accepted: ');
            },
          },
        );
      }).finally(stopWatching);
      // After apply, only the holds still say something: the other refusals were lifted or absent.
      const executed = { ...result.plan, refusals: held };
      const flags = [...allow].map((c) => ({ class: c, from: '--allow' }));
      if (opts.format === 'json') {
        ctx.out(
          jsonDocument('apply', {
            applied: result.plan.changes.length > 0,
            planDigest: result.plan.planDigest,
            summary: result.plan.summary,
            statements: result.statements,
            changedOutsideGit: outsideGitJson(result.held),
            allowances: [...(result.plan.allowances ?? []), ...flags],
          }),
        );
      } else {
        // With changes the plan was shown before writing (confirm above); without, it says so now.
        if ((saved || opts.autoApprove) && !result.plan.changes.length) ctx.out(renderPlan(executed, 'text', ctx));
        if (flags.length) ctx.out(`Allowed by flag: ${flags.map((f) => `--allow ${f.class}`).join(', ')}\n`);
        else if (held.length) ctx.out(refusalLinesText(held, ctx.style).join('\n') + '\n');
        ctx.out(
          result.plan.changes.length
            ? ctx.style.green(`Applied: ${summaryLine(result.plan).replace(/^Plan: /, '')}\n`)
            : '',
        );
        const reveal = result.plan.changes.length
          ? revealNote(result.plan, (id) => `"${escapeTerminal(id)}"`)
          : undefined;
        if (reveal) ctx.out(`${reveal}\n`);
      }
    });
}
