// Shared first step of plan and apply: read and validate manifests, stop with exit 1 if invalid.
import { hasErrors } from '../manifest/diagnostic.js';
import { strictDiagnostics } from '../manifest/lint-rules.js';
import { readManifests, type ManifestSet } from '../manifest/read-manifests.js';
import { renderDiagnosticsText } from '../render/diagnostics.js';
import type { CliContext } from './context.js';
import { ExitCode } from '../errors.js';
import { jsonDocument } from '../render/json-document.js';

/** `strict`: lint warnings count as errors (`--strict`). */
export async function loadValidManifests(ctx: CliContext, dir: string, format: string, strict = false): Promise<ManifestSet> {
  const started = performance.now();
  const read = await readManifests(dir);
  const set = { ...read, diagnostics: strictDiagnostics(read.diagnostics, strict) };
  const seconds = (performance.now() - started) / 1000;
  // Large repositories take a while to read: one line on stderr says what the time went on.
  if (seconds >= 1) ctx.err(`read ${set.projects.length} project(s) from ${set.fileCount} file(s) in ${seconds.toFixed(1)} s\n`);
  if (hasErrors(set.diagnostics)) {
    if (format === 'json') ctx.out(jsonDocument({ valid: false, files: set.fileCount, projects: set.projects.length, diagnostics: set.diagnostics }));
    else ctx.err(renderDiagnosticsText(set.diagnostics, ctx.errStyle) + `${set.diagnostics.length} problem(s) in the manifests; nothing was planned or written.\n`);
    throw new ExitCode(1);
  }
  return set;
}
