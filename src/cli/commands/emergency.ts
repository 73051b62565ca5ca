// argosctl emergency-stop / emergency-resume PROJECT --reason TEXT: break-glass, outside git.
import { Command } from 'commander';
import { breakGlass, type BreakGlassAction } from '../../apply/break-glass.js';
import { describeHolder } from '../../apply/apply-lock.js';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { escapeTerminal as t } from '../../render/escape-terminal.js';
import type { CliContext } from '../context.js';
import { actorName, readGitInfo } from '../git-info.js';
import { databaseOption, formatOption, parseDurationMs } from '../options.js';
import { jsonDocument } from '../../render/json-document.js';

function breakGlassCommand(ctx: CliContext, action: BreakGlassAction, description: string): Command {
  return new Command(action)
    .description(description)
    .argument('<project>', 'project id')
    .requiredOption('--reason <text>', 'why (recorded in the audit trail)')
    .option('--lock-timeout <duration>', 'how long to wait for a running apply', parseDurationMs, 30_000)
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(
      async (
        projectId: string,
        opts: { reason: string; lockTimeout: number; databaseUrl?: string; format: 'text' | 'json' },
      ) => {
        const git = readGitInfo(ctx.cwd, ctx.env);
        const result = await withDatabase(resolveDatabaseUrl(opts.databaseUrl), ({ db }) =>
          breakGlass(db, projectId, action, opts.reason, {
            actor: actorName(ctx.env),
            git,
            lock: { timeoutMs: opts.lockTimeout, holder: describeHolder(git.commit) },
          }),
        );
        if (opts.format === 'json') {
          const { changed, before, after } = result;
          return ctx.out(jsonDocument('emergency', { project: projectId, action, changed, before, after }));
        }
        ctx.out(
          result.changed
            ? `${t(projectId)}: submissions ${result.before} → ${result.after} (audited). Update the manifest so the next apply keeps it.\n`
            : `${t(projectId)}: submissions already ${result.after}; nothing changed.\n`,
        );
      },
    );
}

export function emergencyCommands(ctx: CliContext): Command[] {
  return [
    breakGlassCommand(
      ctx,
      'emergency-stop',
      "halt a project's eKYC submissions now (Liveform and API), outside git; audited",
    ),
    breakGlassCommand(ctx, 'emergency-resume', "resume a project's submissions now, outside git; audited"),
  ];
}
