// argosctl validate: schema and semantic checks of every manifest; touches no database.
import path from 'node:path';
import { Argument, Command } from 'commander';
import { hasErrors, problemCount } from '../../manifest/diagnostic.js';
import { strictDiagnostics } from '../../manifest/check/lint-rules.js';
import { CONFIG_FILE } from '../../config/find-config.js';
import { readManifests } from '../../validate/read-manifests.js';
import { openValidateCache } from '../../manifest/read/validate-cache.js';
import { listManifestFiles } from '../../manifest/read/load-files.js';
import { openValidateMemo, type ValidateAnswer } from '../../validate/validate-memo.js';
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
        const answer = await validateAnswer(ctx, opts.dir, only, opts.cache);
        const set = { ...answer, diagnostics: strictDiagnostics(answer.diagnostics, opts.strict) };
        const projects = set.projects;
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

/**
 * The problems of the manifests: remembered when nothing changed since the last run (validate-memo.ts),
 * else found, reading only the files changed since they were last found valid (validate-cache.ts).
 */
async function validateAnswer(
  ctx: CliContext,
  dir: string,
  only: string[] | undefined,
  useCache: boolean,
): Promise<ValidateAnswer> {
  const listing = only ? undefined : listManifestFiles(dir);
  const memo = useCache && Array.isArray(listing) ? openValidateMemo(ctx.env, dir) : undefined;
  const remembered = Array.isArray(listing) ? memo?.recall(listing) : undefined;
  if (remembered) return remembered;
  const cache = useCache ? openValidateCache(ctx.env, dir) : undefined;
  const read = await readManifests(dir, { only, listing, skip: cache?.skip, signatures: cache?.signatures });
  cache?.save(read, Boolean(only));
  const answer = {
    fileCount: read.fileCount,
    projects: read.projects.length + read.unchanged.length,
    ...(read.configFile === undefined ? {} : { configFile: read.configFile }),
    diagnostics: read.diagnostics,
  };
  if (memo && cache && Array.isArray(listing)) memo.save(listing, answer, read, cache.signatures);
  return answer;
}
