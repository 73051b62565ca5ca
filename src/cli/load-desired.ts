// Shared first step of plan and apply: read and validate manifests, stop with exit 1 if invalid.
import { hasErrors } from '../manifest/diagnostic.js';
import { readManifests, type ManifestSet } from '../manifest/read-manifests.js';
import { renderDiagnosticsText } from '../render/diagnostics.js';
import type { CliContext } from './context.js';
import { ExitCode } from './errors.js';
import { jsonDocument } from '../render/json-document.js';

export async function loadValidManifests(ctx: CliContext, dir: string, format: string): Promise<ManifestSet> {
  const set = await readManifests(dir);
  if (hasErrors(set.diagnostics)) {
    if (format === 'json') ctx.out(jsonDocument({ valid: false, files: set.fileCount, projects: set.projects.length, diagnostics: set.diagnostics }));
    else ctx.err(renderDiagnosticsText(set.diagnostics, ctx.errStyle) + `${set.diagnostics.length} problem(s) in the manifests; nothing was planned or written.\n`);
    throw new ExitCode(1);
  }
  return set;
}
