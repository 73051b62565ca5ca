// argosctl migrate: rewrite manifests to a newer apiVersion in place, keeping comments, blank
// lines, order and style; files that do not validate are named and nothing is written.
// --check writes nothing and exits 1 listing the files that would change (for CI).
import path from 'node:path';
import { Command, Option } from 'commander';
import { writeInsideRoot } from '../../manifest/safe-write.js';
import { CURRENT_VERSION, VERSIONS, shortVersion } from '../../manifest/versions/registry.js';
import { planMigration } from '../../migrate/migrate-files.js';
import { renderDiagnosticsText } from '../../render/diagnostics.js';
import { escapeTerminal as t } from '../../render/escape-terminal.js';
import { ExitCode, UserError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { dirOption, formatOption } from '../options.js';
import { jsonDocument } from '../../render/json-document.js';

interface MigrateOptions {
  dir: string;
  to: string;
  check?: boolean;
  format: 'text' | 'json';
}

export function migrateCommand(ctx: CliContext): Command {
  const versions = VERSIONS.slice(1).map(shortVersion);
  return new Command('migrate')
    .description('rewrite manifests to a newer apiVersion in place, keeping comments and order; --check only reports')
    .argument('[paths...]', 'manifest files or folders to migrate (default: every manifest below --dir)')
    .addOption(dirOption())
    .addOption(
      new Option('--to <version>', 'the apiVersion to migrate to')
        .choices(versions)
        .default(shortVersion(CURRENT_VERSION)),
    )
    .option('--check', 'write nothing; exit 1 and list the files that would change (for CI)')
    .addOption(formatOption(['text', 'json']))
    .action(async (paths: string[], opts: MigrateOptions) => {
      const to = `argosctl/${opts.to}`;
      const only = paths.length ? paths.map((p) => path.resolve(ctx.cwd, p)) : undefined;
      const plan = await planMigration(path.resolve(ctx.cwd, opts.dir), only, to);
      if (!plan.ok) {
        ctx.err(renderDiagnosticsText(plan.diagnostics, ctx.errStyle));
        throw new UserError(
          `${plan.files.length} file(s) do not validate: ${plan.files.map(t).join(', ')}; nothing was migrated`,
          'fix them (argosctl validate lists the problems), then run argosctl migrate again',
        );
      }
      // Every new text is computed before the first write; each file is then replaced atomically.
      if (!opts.check) {
        for (const { file, text } of plan.changed) {
          const written = writeInsideRoot(file.root, file.full, text);
          if (!written.ok) throw new UserError(`${t(file.file)} ${written.problem}`);
        }
      }
      if (opts.format === 'json') {
        const files = plan.changed.map(({ file, documents }) => ({ file: file.file, documents }));
        ctx.out(jsonDocument('migrate', { to, check: Boolean(opts.check), files }));
        if (opts.check && plan.changed.length) throw new ExitCode(1);
        return;
      }
      for (const { file, documents } of plan.changed) {
        ctx.out(`${opts.check ? 'would migrate' : 'migrated'} ${t(file.file)} (${documents} document(s) to ${to})\n`);
      }
      for (const { file, notes } of plan.changed)
        for (const note of notes) ctx.err(`note: ${t(file.file)}: ${t(note)}\n`);
      if (!plan.changed.length) ctx.err(`Every manifest is already ${to}; nothing to do.\n`);
      else if (opts.check)
        ctx.err(`${plan.changed.length} file(s) are not ${to}; run \`argosctl migrate --to ${opts.to}\`.\n`);
      else
        ctx.err(
          `Migrated ${plan.changed.length} file(s) to ${to}; review the diff, then run \`argosctl plan\` (it should show no changes).\n`,
        );
      if (opts.check && plan.changed.length) throw new ExitCode(1);
    });
}
