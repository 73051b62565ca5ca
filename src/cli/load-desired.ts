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
    // Manifests that are valid but break the organisation's policy are a refusal (exit 3, CONTRACT), not an error.
    const errors = set.diagnostics.filter((d) => d.severity === 'error');
    const byPolicy = errors.every((d) => d.rule.startsWith('policy.'));
    const why = byPolicy ? 'blocked by the policy in argosctl.yaml' : 'in the manifests';
    if (format === 'json') ctx.out(jsonDocument({ valid: false, files: set.fileCount, projects: set.projects.length, diagnostics: set.diagnostics }));
    else ctx.err(renderDiagnosticsText(set.diagnostics, ctx.errStyle) + `${set.diagnostics.length} problem(s) ${why}; nothing was planned or written.\n`);
    throw new ExitCode(byPolicy ? 3 : 1);
  }
  return set;
}
