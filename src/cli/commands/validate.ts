// argosctl validate: schema and semantic checks of every manifest; touches no database.
import { Command } from 'commander';
import { hasErrors } from '../../manifest/diagnostic.js';
import { strictDiagnostics } from '../../manifest/lint-rules.js';
import { readManifests } from '../../manifest/read-manifests.js';
import { renderDiagnosticsGithub, renderDiagnosticsText } from '../../render/diagnostics.js';
import type { CliContext } from '../context.js';
import { ExitCode } from '../../errors.js';
import { dirOption, formatOption } from '../options.js';

export function validateCommand(ctx: CliContext): Command {
  return new Command('validate')
    .description('check every manifest against the schema and the semantic rules; report all problems at once')
    .addOption(dirOption())
    .addOption(formatOption(['text', 'json', 'github']))
    .option('--strict', 'treat lint warnings as errors')
    .action(async (opts: { dir: string; format: 'text' | 'json' | 'github'; strict?: boolean }) => {
      const read = await readManifests(opts.dir);
      const set = { ...read, diagnostics: strictDiagnostics(read.diagnostics, opts.strict) };
      const warnings = set.diagnostics.filter((d) => d.severity === 'warning').length;
      const valid = !hasErrors(set.diagnostics);
      if (opts.format === 'json') {
        ctx.out(JSON.stringify({ valid, files: set.fileCount, projects: set.projects.length, diagnostics: set.diagnostics }, null, 2) + '\n');
      } else if (opts.format === 'github') {
        ctx.out(renderDiagnosticsGithub(set.diagnostics));
      } else {
        ctx.err(renderDiagnosticsText(set.diagnostics, ctx.errStyle));
        ctx.out(valid
          ? `${ctx.style.green('✓')} ${set.projects.length} project(s) in ${set.fileCount} file(s) are valid${warnings ? ` (${warnings} warning(s); --strict makes them errors)` : ''}.\n`
          : `${ctx.style.red('✗')} ${set.diagnostics.length} problem(s) in ${set.fileCount} file(s).\n`);
      }
      if (!valid) throw new ExitCode(1);
    });
}
