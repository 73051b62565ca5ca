// argosctl prune: one pruning pass now; --dry-run shows what it would delete and why.
import { Command } from 'commander';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { prunePass, type ProjectPruneResult } from '../../tokens/prune.js';
import type { CliContext } from '../context.js';
import { databaseOption, formatOption, projectOption } from '../options.js';
import { jsonDocument } from '../../render/json-document.js';

export function renderPruneResults(results: readonly ProjectPruneResult[], dryRun: boolean): string {
  if (results.length === 0) return 'No project uses token pre-registration; nothing to prune.\n';
  const verb = dryRun ? 'would delete' : 'deleted';
  return results
    .map(
      (r) =>
        `${dryRun ? '~' : '-'} ${r.projectId}: ${verb} ${r.expiredDeleted + r.volumeDeleted} (${r.expiredDeleted} expired, ${r.volumeDeleted} by volume), ` +
        `${r.registeredBefore} → ${r.registeredAfter} registered; ${r.reason}${dryRun ? '' : ` [${r.durationMs} ms${r.outcome === 'abandoned' ? ', abandoned' : ''}]`}\n`,
    )
    .join('');
}

export function pruneCommand(ctx: CliContext): Command {
  return new Command('prune')
    .description(
      'one pruning pass over registered tokens: expired, then by volume (the worker runs this every 10 minutes)',
    )
    .option('--dry-run', 'show what would be deleted, delete nothing')
    .addOption(projectOption())
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(async (opts: { dryRun?: boolean; project: string[]; format: string; databaseUrl?: string }) => {
      const results = await withDatabase(resolveDatabaseUrl(opts.databaseUrl), ({ db }) =>
        prunePass(db, { dryRun: opts.dryRun, projects: opts.project }),
      );
      ctx.out(
        opts.format === 'json'
          ? jsonDocument('prune', { dryRun: Boolean(opts.dryRun), results })
          : renderPruneResults(results, Boolean(opts.dryRun)),
      );
    });
}
