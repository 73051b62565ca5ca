// Markdown view of a plan, for pull-request comments and job summaries. Every value from a
// manifest or the database goes through escapeMarkdown (`md`) or markdownCode (`code`).
import { masterKeyNote } from './master-key-note.js';
import type { CreateChange, Plan } from '../plan/plan-types.js';
import { warningPlace } from './diagnostics.js';
import { placesLine, repeatedCount, summariseRepeated } from './repeated-warnings.js';
import { refusalLinesMarkdown } from './refusals.js';
import { allowanceLinesMarkdown } from './allowances.js';
import { trafficLinesMarkdown } from './traffic-impact.js';
import {
  SYMBOL,
  changeTarget,
  changeValues,
  createdSettingRow,
  createdSettings,
  flags,
  groupByProject,
  summaryLine,
} from './describe-change.js';
import { markdownCode as code, escapeMarkdown as md } from './escape-markdown.js';

/** `verbose`: every warning listed; else a rule repeated across many projects once (repeated-warnings.ts). */
export function renderPlanMarkdown(plan: Plan, verbose = false): string {
  const s = plan.summary;
  const out: string[] = ['### argosctl plan', '', summaryLine(plan), ''];
  if (plan.changes.length) {
    out.push(
      '| create | update | add | remove | projects | risky | billing |',
      '|---:|---:|---:|---:|---:|---:|---:|',
      `| ${s.create} | ${s.update} | ${s.add} | ${s.remove} | ${s.projectsChanged} | ${s.risky} | ${s.billing} |`,
      '',
    );
  }
  const flagged = plan.changes.filter((c) => flags(c).length);
  if (flagged.length) {
    out.push('**Needs attention**', '');
    for (const c of flagged)
      out.push(`- ${code(c.projectId)} ${SYMBOL[c.action]} ${code(changeTarget(c))}: ${md(flags(c).join('; '))}`);
    out.push('');
  }
  for (const [projectId, changes] of groupByProject(plan.changes)) {
    out.push(`<details><summary>${code(projectId)}: ${changes.length} change(s)</summary>`, '');
    const create = changes.find((c): c is CreateChange => c.action === 'create');
    if (create) {
      out.push(`Created from ${code(`${create.source?.file}:${create.source?.line}`)}:`, '');
      out.push('| setting | value |', '|---|---|');
      for (const row of createdSettings(create).map(createdSettingRow)) {
        out.push(`| ${code(row.target)} | ${md(row.value)}${row.isDefault ? ' _(default)_' : ''} |`);
      }
    } else {
      out.push('| | setting | change | source |', '|---|---|---|---|');
      for (const c of changes) {
        const f = flags(c);
        out.push(
          `| ${SYMBOL[c.action]} | ${code(changeTarget(c))} | ${md(changeValues(c))} ${f.length ? `**${md(f.join('; '))}**` : ''} | ${c.source ? code(`${c.source.file}:${c.source.line}`) : ''} |`,
        );
      }
    }
    out.push('', '</details>', '');
  }
  out.push(...trafficLinesMarkdown(plan));
  out.push(...refusalLinesMarkdown(plan.refusals ?? []));
  out.push(...allowanceLinesMarkdown(plan));
  const keyNote = masterKeyNote(plan, code);
  if (keyNote) out.push(keyNote, '');
  if (plan.warnings?.length) {
    out.push(`**Warnings** (${plan.warnings.length}): valid, but worth a second look`, '');
    for (const w of summariseRepeated(plan.warnings, verbose))
      out.push(
        `- ${code(warningPlace(w))} ${md(w.message)} (${code(w.rule)})${w.repeated ? ` ${md(repeatedCount(w.repeated))}: ${code(placesLine(w.repeated))}` : ''}`,
      );
    out.push('');
  }
  if (plan.unmanaged.length)
    out.push(`_Unmanaged (no manifest, left unchanged): ${plan.unmanaged.map((u) => code(u)).join(', ')}_`, '');
  return out.join('\n');
}
