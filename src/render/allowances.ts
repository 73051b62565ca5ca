// Where a plan's allowances come from: the allow rules in force and their file (the trusted
// revision's argosctl.yaml with --policy-from, else the working tree's), and at apply the
// --allow flags. Renders `plan.policy` and `plan.allowances` only; file values are escaped.
import type { Allowance, Plan } from '../plan/plan-types.js';
import { escapeMarkdown as md } from './escape-markdown.js';
import { escapeTerminal as t } from './escape-terminal.js';
import type { Style } from './style.js';

const describe = (a: Allowance) =>
  `${a.class} for ${a.projects ? a.projects.join(', ') : 'every project'} (allow rule in ${a.from})`;

function sourceLine(plan: Pick<Plan, 'policy'>): string | undefined {
  const p = plan.policy;
  if (!p) return undefined;
  return `Rules that relax guards (allow:, policy:, regions:, lint.blastRadius) are read from ${p.file} at ${p.ref} (commit ${p.commit.slice(0, 12)}), not from the change itself.`;
}

export function allowanceLinesText(
  plan: Pick<Plan, 'policy' | 'allowances'>,
  style: Style,
  flags: readonly string[] = [],
): string[] {
  const source = sourceLine(plan);
  const allowed = [...(plan.allowances ?? []).map(describe), ...flags.map((f) => `${f} (flag --allow ${f})`)];
  if (!source && !allowed.length) return [];
  const lines = source ? [style.dim(t(source))] : [];
  if (allowed.length) lines.push('Allowed without a refusal:', ...allowed.map((a) => `  + ${t(a)}`));
  return [...lines, ''];
}

export function allowanceLinesMarkdown(plan: Pick<Plan, 'policy' | 'allowances'>): string[] {
  const source = sourceLine(plan);
  const allowed = (plan.allowances ?? []).map(describe);
  if (!source && !allowed.length) return [];
  const lines = source ? [`_${md(source)}_`, ''] : [];
  if (allowed.length) lines.push('**Allowed without a refusal**', '', ...allowed.map((a) => `- ${md(a)}`), '');
  return lines;
}
