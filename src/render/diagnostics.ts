// Diagnostics as text for people, JSON for tools, and GitHub Actions annotations. File names,
// paths and messages (which may quote manifest values) are escaped for each medium.
import type { Diagnostic } from '../manifest/diagnostic.js';
import { escapeAnnotationData, escapeAnnotationProperty } from './escape-ci-log.js';
import { escapeControls, escapeTerminal as t } from './escape-terminal.js';
import { placesLine, repeatedCount, summariseRepeated } from './repeated-warnings.js';
import type { Style } from './style.js';

/** GitHub shows at most this many annotations of a step; the rest are counted on one plain line. */
export const GITHUB_ANNOTATIONS = 50;

/** `file:line` of a finding, or "the plan" for one about the plan as a whole (lint.blast-radius). */
export function warningPlace(d: Diagnostic): string {
  return d.path === '(plan)' ? 'the plan' : `${d.file}:${d.line}`;
}

/** `verbose`: every warning on its own; else a rule repeated across many projects is shown once (repeated-warnings.ts). */
export function renderDiagnosticsText(list: readonly Diagnostic[], style: Style, verbose = false): string {
  const shown = summariseRepeated(list, verbose);
  return (
    shown
      .map((d) => {
        const head = `${d.path === '(plan)' ? 'the plan' : `${t(d.file)}:${d.line}:${d.column}`}: ${d.severity === 'error' ? style.red('error') : style.yellow('warning')}: ${t(d.message)} ${style.dim(`[${t(d.path)}] (${d.rule})`)}${d.repeated ? ` ${style.yellow(repeatedCount(d.repeated))}` : ''}`;
        const extra = [
          d.repeated ? `  at: ${t(placesLine(d.repeated))} (--verbose lists all)` : '',
          d.allowed ? `  allowed: ${t(d.allowed)}` : '',
          d.hint ? `  hint: ${t(d.hint)}` : '',
        ].filter(Boolean);
        return [head, ...extra].join('\n');
      })
      .join('\n') + (list.length ? '\n' : '')
  );
}

/**
 * One annotation per problem, a repeated warning rule once (`verbose`: each); at most
 * GITHUB_ANNOTATIONS of them, the rest counted on a plain line of the log.
 */
export function renderDiagnosticsGithub(list: readonly Diagnostic[], verbose = false): string {
  const shown = summariseRepeated(list, verbose);
  const annotated = shown.slice(0, GITHUB_ANNOTATIONS);
  let rest = 0;
  for (const d of shown.slice(GITHUB_ANNOTATIONS)) rest += d.repeated?.count ?? d.omitted ?? 1;
  const restLine = rest
    ? `argosctl: ${rest.toLocaleString('en')} more problem(s) not annotated (GitHub shows ${GITHUB_ANNOTATIONS} per step); run argosctl validate to see them all\n`
    : '';
  return (
    annotated
      .map((d) => {
        const repeated = d.repeated ? ` (${repeatedCount(d.repeated)}: ${placesLine(d.repeated)})` : '';
        const text = escapeControls(
          `${d.path}: ${d.message}${repeated}${d.allowed ? ` (allowed: ${d.allowed})` : ''}${d.hint ? ` ${d.hint}` : ''}`,
        );
        const file = escapeAnnotationProperty(escapeControls(d.file));
        return `::${d.severity} file=${file},line=${d.line},col=${d.column},title=${escapeAnnotationProperty(`argosctl ${d.rule}`)}::${escapeAnnotationData(text)}`;
      })
      .join('\n') +
    (annotated.length ? '\n' : '') +
    restLine
  );
}
