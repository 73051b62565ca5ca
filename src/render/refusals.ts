// The "apply will refuse this unless …" and "changed outside git" sections of a plan, for the
// terminal and for markdown. They render `plan.refusals` (computed by src/plan/guards.ts) only.
// Messages carry user text (project ids, members, a break-glass actor and reason): they go through
// escapeTerminal (`t`) or escapeMarkdown (`md`) whole.
import type { Refusal } from '../plan/plan-types.js';
import { escapeMarkdown as md } from './escape-markdown.js';
import { escapeTerminal as t } from './escape-terminal.js';
import type { Style } from './style.js';

const refused = (refusals: readonly Refusal[]) => refusals.filter((r) => r.kind !== 'break-glass');
const outsideGit = (refusals: readonly Refusal[]) => refusals.filter((r) => r.kind === 'break-glass');

export function refusalLinesText(refusals: readonly Refusal[], style: Style): string[] {
  const lines: string[] = [];
  if (refused(refusals).length) {
    lines.push(style.red(style.bold('Apply will refuse this plan (exit 3, nothing written) unless …:')));
    for (const r of refused(refusals))
      lines.push(style.red(`  ! ${t(r.message)}`), `      apply will refuse this unless ${t(r.unless)}`);
    lines.push('');
  }
  if (outsideGit(refusals).length) {
    lines.push(
      style.yellow(style.bold('Changed outside git: apply leaves these as they are; everything else applies:')),
    );
    for (const r of outsideGit(refusals))
      lines.push(style.yellow(`  ! ${t(r.message)}`), `      apply will refuse to change it unless ${t(r.unless)}`);
    lines.push('');
  }
  return lines;
}

export function refusalLinesMarkdown(refusals: readonly Refusal[]): string[] {
  const lines: string[] = [];
  if (refused(refusals).length) {
    lines.push('**Apply will refuse this plan** (exit 3, nothing written) unless …', '');
    for (const r of refused(refusals))
      lines.push(`- :no_entry: ${md(r.message)}: apply will refuse this unless ${md(r.unless)}`);
    lines.push('');
  }
  if (outsideGit(refusals).length) {
    lines.push('**Changed outside git** (apply leaves these as they are; everything else applies)', '');
    for (const r of outsideGit(refusals))
      lines.push(`- :warning: ${md(r.message)}: apply will refuse to change it unless ${md(r.unless)}`);
    lines.push('');
  }
  return lines;
}
