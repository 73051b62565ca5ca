// The "apply will refuse this unless …" and "changed outside git" sections of a plan, for the
// terminal and for markdown. They render `plan.refusals` (computed by src/plan/guards.ts) only.
import type { Refusal } from '../plan/plan-types.js';
import type { Style } from './style.js';

// Minimal inert forms of user text for these two sections (project ids, members, a break-glass
// reason). When the shared escapers of src/render land, use them here instead.
const terminalInert = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
const markdownInert = (s: string) => terminalInert(s).replace(/[\\`*_[\]<>#|@&]/g, (c) => `&#${c.charCodeAt(0)};`);

const refused = (refusals: readonly Refusal[]) => refusals.filter((r) => r.kind !== 'break-glass');
const outsideGit = (refusals: readonly Refusal[]) => refusals.filter((r) => r.kind === 'break-glass');

export function refusalLinesText(refusals: readonly Refusal[], style: Style): string[] {
  const lines: string[] = [];
  if (refused(refusals).length) {
    lines.push(style.red(style.bold('Apply will refuse this plan (exit 3, nothing written) unless …:')));
    for (const r of refused(refusals)) lines.push(style.red(`  ! ${terminalInert(r.message)}`), `      apply will refuse this unless ${terminalInert(r.unless)}`);
    lines.push('');
  }
  if (outsideGit(refusals).length) {
    lines.push(style.yellow(style.bold('Changed outside git: apply leaves these as they are; everything else applies:')));
    for (const r of outsideGit(refusals)) lines.push(style.yellow(`  ! ${terminalInert(r.message)}`), `      apply will refuse to change it unless ${terminalInert(r.unless)}`);
    lines.push('');
  }
  return lines;
}

export function refusalLinesMarkdown(refusals: readonly Refusal[]): string[] {
  const lines: string[] = [];
  if (refused(refusals).length) {
    lines.push('**Apply will refuse this plan** (exit 3, nothing written) unless …', '');
    for (const r of refused(refusals)) lines.push(`- :no_entry: ${markdownInert(r.message)}: apply will refuse this unless ${markdownInert(r.unless)}`);
    lines.push('');
  }
  if (outsideGit(refusals).length) {
    lines.push('**Changed outside git** (apply leaves these as they are; everything else applies)', '');
    for (const r of outsideGit(refusals)) lines.push(`- :warning: ${markdownInert(r.message)}: apply will refuse to change it unless ${markdownInert(r.unless)}`);
    lines.push('');
  }
  return lines;
}
