// Shared first step of plan and apply: read and validate manifests, stop with exit 1 if invalid.
import { hasErrors } from '../manifest/diagnostic.js';
import { strictDiagnostics } from '../manifest/lint-rules.js';
import { readManifests, type ManifestSet } from '../manifest/read-manifests.js';
import { renderDiagnosticsText } from '../render/diagnostics.js';
import type { CliContext } from './context.js';
import { ExitCode } from '../errors.js';

/** `strict`: lint warnings count as errors (`--strict`). */
export async function loadValidManifests(ctx: CliContext, dir: string, format: string, strict = false): Promise<ManifestSet> {
  const read = await readManifests(dir);
  const set = { ...read, diagnostics: strictDiagnostics(read.diagnostics, strict) };
  if (hasErrors(set.diagnostics)) {
    if (format === 'json') ctx.out(JSON.stringify({ valid: false, diagnostics: set.diagnostics }, null, 2) + '\n');
    else ctx.err(renderDiagnosticsText(set.diagnostics, ctx.errStyle) + `${set.diagnostics.length} problem(s) in the manifests; nothing was planned or written.\n`);
    throw new ExitCode(1);
  }
  return set;
}
