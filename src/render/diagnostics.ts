// Diagnostics as text for people, JSON for tools, and GitHub Actions annotations. File names,
// paths and messages (which may quote manifest values) are escaped for each medium.
import type { Diagnostic } from '../manifest/diagnostic.js';
import { escapeAnnotationData, escapeAnnotationProperty } from './escape-ci-log.js';
import { escapeControls, escapeTerminal as t } from './escape-terminal.js';
import type { Style } from './style.js';

/** `file:line` of a finding, or "the plan" for one about the plan as a whole (lint.blast-radius). */
export function warningPlace(d: Diagnostic): string {
  return d.path === '(plan)' ? 'the plan' : `${d.file}:${d.line}`;
}

export function renderDiagnosticsText(list: readonly Diagnostic[], style: Style): string {
  return (
    list
      .map((d) => {
        const head = `${d.path === '(plan)' ? 'the plan' : `${t(d.file)}:${d.line}:${d.column}`}: ${d.severity === 'error' ? style.red('error') : style.yellow('warning')}: ${t(d.message)} ${style.dim(`[${t(d.path)}] (${d.rule})`)}`;
        const extra = [d.allowed ? `  allowed: ${t(d.allowed)}` : '', d.hint ? `  hint: ${t(d.hint)}` : ''].filter(
          Boolean,
        );
        return [head, ...extra].join('\n');
      })
      .join('\n') + (list.length ? '\n' : '')
  );
}

export function renderDiagnosticsGithub(list: readonly Diagnostic[]): string {
  return (
    list
      .map((d) => {
        const text = escapeControls(
          `${d.path}: ${d.message}${d.allowed ? ` (allowed: ${d.allowed})` : ''}${d.hint ? ` ${d.hint}` : ''}`,
        );
        const file = escapeAnnotationProperty(escapeControls(d.file));
        return `::${d.severity} file=${file},line=${d.line},col=${d.column},title=${escapeAnnotationProperty(`argosctl ${d.rule}`)}::${escapeAnnotationData(text)}`;
      })
      .join('\n') + (list.length ? '\n' : '')
  );
}
