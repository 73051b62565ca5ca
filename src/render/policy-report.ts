// `argosctl policy test` for people: per rule, what it asks, and which projects it touched (met or
// violated, with where). Rule descriptions and values come from argosctl.yaml and the manifests:
// every one goes through escapeTerminal (`t`).
import type { PolicyTestResult } from '../policy/policy-test.js';
import { escapeTerminal as t } from './escape-terminal.js';
import type { Style } from './style.js';

const LIST_MAX = 20;

function ids(list: readonly string[]): string {
  return (
    list.slice(0, LIST_MAX).map(t).join(', ') + (list.length > LIST_MAX ? `, and ${list.length - LIST_MAX} more` : '')
  );
}

export function renderPolicyText(result: PolicyTestResult, style: Style): string {
  const lines: string[] = [];
  if (result.rules.length === 0)
    return 'argosctl.yaml sets no policy (policy: requireRegion, rules): nothing to test.\n';
  for (const r of result.rules) {
    const mark = r.violated.length ? style.red('✗') : style.green('✓');
    lines.push(`${mark} ${style.bold(t(r.rule))}: ${t(r.requirement)}`);
    if (r.description) lines.push(style.dim(`    ${t(r.description)}`));
    const touched = r.passed.length + r.violated.length;
    if (touched === 0) lines.push(style.dim('    no project in scope'));
    if (r.passed.length) lines.push(`    ${style.green(`met by ${r.passed.length}`)}: ${ids(r.passed)}`);
    if (r.violated.length) {
      lines.push(`    ${style.red(`violated by ${r.violated.length}`)}:`);
      for (const v of r.violated.slice(0, LIST_MAX))
        lines.push(
          `      ${t(v.projectId)} ${style.dim(`(${t(`${v.file}:${v.line}:${v.column}`)})`)}: found ${t(v.found)}`,
        );
      if (r.violated.length > LIST_MAX)
        lines.push(`      and ${r.violated.length - LIST_MAX} more (--format json lists all)`);
    }
  }
  lines.push('');
  const { rules, projects, violations } = result;
  const summary = `${rules.length} rule(s) over ${projects} project(s): ${violations} violation(s)`;
  lines.push(result.violations ? style.red(style.bold(`✗ ${summary}.`)) : style.green(style.bold(`✓ ${summary}.`)));
  return lines.join('\n') + '\n';
}
