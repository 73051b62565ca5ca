// argosctl validate: schema and semantic checks of every manifest; touches no database.
import path from 'node:path';
import { Argument, Command } from 'commander';
import { hasErrors, problemCount } from '../../manifest/diagnostic.js';
import { strictDiagnostics } from '../../manifest/check/lint-rules.js';
import { CONFIG_FILE } from '../../config/find-config.js';
import { readManifests } from '../../validate/read-manifests.js';
import { openValidateCache } from '../../manifest/read/validate-cache.js';
import { renderDiagnosticsGithub, renderDiagnosticsText } from '../../render/diagnostics.js';
import type { CliContext } from '../context.js';
import { ExitCode } from '../../errors.js';
import { dirOption, formatOption, noCacheOption, verboseOption } from '../options.js';
import { summariseRepeated } from '../../render/repeated-warnings.js';
import { jsonDocument } from '../../render/json-document.js';

export function validateCommand(ctx: CliContext): Command {
  return new Command('validate')
    .description(
      'check manifests (all, or the files and folders named) against the schema and the semantic rules; report all problems at once',
    )
    .addArgument(
      new Argument('[paths...]', 'manifest files or folders inside the manifest folder (default: all of it)'),
    )
    .addOption(dirOption())
    .addOption(formatOption(['text', 'json', 'github']))
    .option('--strict', 'treat lint warnings as errors')
    .addOption(noCacheOption())
    .addOption(verboseOption())
    .action(
      async (
        paths: string[],
        opts: { dir: string; format: 'text' | 'json' | 'github'; strict?: boolean; cache: boolean; verbose?: boolean },
      ) => {
        // Named paths (e.g. from a pre-commit hook) are relative to where the command runs.
        const only = paths.length ? paths.map((p) => path.resolve(ctx.cwd, p)) : undefined;
        const cache = opts.cache ? openValidateCache(ctx.env, opts.dir) : undefined;
        const read = await readManifests(opts.dir, { only, skip: cache?.skip });
        cache?.save(read, Boolean(only));
        const set = { ...read, diagnostics: strictDiagnostics(read.diagnostics, opts.strict) };
        const projects = set.projects.length + set.unchanged.length;
        // an entry standing for several (… and N more) counts as N, so the number is exact
        const warnings = problemCount(set.diagnostics.filter((d) => d.severity === 'warning'));
        const valid = !hasErrors(set.diagnostics);
        const files = `${set.fileCount} manifest file(s)${set.configFile ? ` and ${CONFIG_FILE}` : ''}`;
        if (opts.format === 'json') {
          ctx.out(
            jsonDocument('validate', {
              valid,
              files: set.fileCount,
              projects,
              diagnostics: summariseRepeated(set.diagnostics, opts.verbose),
            }),
          );
        } else if (opts.format === 'github') {
          ctx.out(renderDiagnosticsGithub(set.diagnostics, opts.verbose));
        } else {
          ctx.err(renderDiagnosticsText(set.diagnostics, ctx.errStyle, opts.verbose));
          ctx.out(
            valid
              ? `${ctx.style.green('✓')} ${projects} project(s) in ${files} are valid${warnings ? ` (${warnings} warning(s); --strict makes them errors)` : ''}.
`
              : `${ctx.style.red('✗')} ${problemCount(set.diagnostics)} problem(s) in ${files}.
`,
          );
        }
        if (!valid) throw new ExitCode(1);
      },
    );
}
