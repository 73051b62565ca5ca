// argosctl export: the database's projects as manifests, so adopting an existing setup is
// export, review, commit, and plan shows nothing. Reads the database; writes only files.
import { packagePath } from '../../package-root.js';
import path from 'node:path';
import { Command } from 'commander';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { readState } from '../../db/read-state.js';
import { exportFiles } from '../../export/export-files.js';
import { writeExport } from '../../export/write-export.js';
import { readManifests } from '../../validate/read-manifests.js';
import { renderDiagnosticsText } from '../../render/diagnostics.js';
import { escapeTerminal as t } from '../../render/escape-terminal.js';
import { UserError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { loadValidManifests } from '../load-desired.js';
import { databaseOption, dirOption, formatOption, projectOption } from '../options.js';
import { jsonDocument } from '../../render/json-document.js';
import type { Diagnostic } from '../../manifest/diagnostic.js';

const SCHEMA_FILE = packagePath('schemas', 'project.v2.json');

interface ExportOptions {
  dir: string;
  out?: string;
  project: string[];
  unmanaged?: boolean;
  force?: boolean;
  databaseUrl?: string;
  format: 'text' | 'json';
}

export function exportCommand(ctx: CliContext): Command {
  return new Command('export')
    .description('write one manifest per project from the database (no key material; public keys as files under keys/)')
    .addOption(dirOption())
    .option('--out <dir>', 'folder to write the manifests to (default: the manifest folder, --dir)')
    .addOption(projectOption())
    .option('--unmanaged', 'export only projects that no manifest in the manifest folder declares')
    .option('--force', 'replace files that already exist (regular files only)')
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(async (opts: ExportOptions) => {
      const declared = opts.unmanaged
        ? new Set((await loadValidManifests(ctx, opts.dir, 'text')).projects.map((p) => p.settings.id))
        : undefined;
      const state = await withDatabase(resolveDatabaseUrl(opts.databaseUrl), ({ db }) =>
        readState(db, opts.project.length ? opts.project : undefined),
      );
      const missing = opts.project.filter((id) => !state.projects.has(id));
      if (missing.length)
        throw new UserError(
          `the database holds no project ${missing.map((id) => JSON.stringify(id).slice(0, 80)).join(', ')}`,
          'check the ids given to --project',
        );
      const selected = [...state.projects.values()].filter((p) => !declared?.has(p.id));
      const outDir = path.resolve(ctx.cwd, opts.out ?? opts.dir);
      const schemaRef = path.relative(outDir, SCHEMA_FILE).split(path.sep).join('/');
      const { files, problems } = exportFiles(selected, schemaRef);
      if (problems.length) {
        throw new UserError(
          `cannot export ${problems.length} project(s): ${problems.map((p) => `${JSON.stringify(p.projectId).slice(0, 80)}: ${p.message}`).join('; ')}; nothing was written`,
          'leave them out with --project for each project to export',
        );
      }
      const written = writeExport(outDir, files, Boolean(opts.force));
      const shown = written.map((rel) => path.join(opts.out ?? opts.dir, rel));
      const skipped = declared ? state.projects.size - selected.length : 0;
      if (opts.format === 'json') {
        const problems = await invalidExported(outDir, written);
        return ctx.out(
          jsonDocument('export', {
            projects: selected.length,
            alreadyDeclared: skipped,
            files: shown,
            diagnostics: problems,
          }),
        );
      }
      for (const file of shown) ctx.out(`${t(file)}\n`);
      ctx.err(
        `Exported ${selected.length} project(s)${skipped ? ` (${skipped} already declared by a manifest)` : ''}; review them, then run \`argosctl plan\`.\n`,
      );
      await reportInvalid(ctx, outDir, written);
    });
}

/** A database may hold what the rules reject (it predates them): say so now rather than at the next plan. */
async function reportInvalid(ctx: CliContext, outDir: string, written: string[]): Promise<void> {
  const problems = await invalidExported(outDir, written);
  if (!problems.length) return;
  const errors = problems.filter((d) => d.severity === 'error').length;
  ctx.err(
    renderDiagnosticsText(problems, ctx.errStyle) +
      (errors
        ? `warning: ${errors} problem(s) in the exported manifests: they hold what the database holds; fix them before committing.\n`
        : `${problems.length} lint warning(s) in the exported manifests: review them (a project accepts one with lint.ignore and a reason).\n`),
  );
}

async function invalidExported(outDir: string, written: string[]): Promise<Diagnostic[]> {
  const ours = new Set(written.map((rel) => path.join(outDir, rel)));
  const set = await readManifests(outDir);
  return set.diagnostics.filter((d) => ours.has(path.resolve(d.file)));
}
