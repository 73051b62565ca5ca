// Diagnostics as text for people, JSON for tools, and GitHub Actions annotations.
import type { Diagnostic } from '../manifest/diagnostic.js';
import type { Style } from './style.js';

export function renderDiagnosticsText(list: readonly Diagnostic[], style: Style): string {
  return list.map((d) => {
    const head = `${d.file}:${d.line}:${d.column}: ${d.severity === 'error' ? style.red('error') : style.yellow('warning')}: ${d.message} ${style.dim(`[${d.path}] (${d.rule})`)}`;
    const extra = [d.allowed ? `  allowed: ${d.allowed}` : '', d.hint ? `  hint: ${d.hint}` : ''].filter(Boolean);
    return [head, ...extra].join('\n');
  }).join('\n') + (list.length ? '\n' : '');
}

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function renderDiagnosticsGithub(list: readonly Diagnostic[]): string {
  return list.map((d) => {
    const text = `${d.path}: ${d.message}${d.allowed ? ` (allowed: ${d.allowed})` : ''}${d.hint ? ` ${d.hint}` : ''}`;
    return `::${d.severity} file=${escapeProperty(d.file)},line=${d.line},col=${d.column},title=${escapeProperty(`argosctl ${d.rule}`)}::${escapeData(text)}`;
  }).join('\n') + (list.length ? '\n' : '');
}
