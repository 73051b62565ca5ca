// Markdown view of a plan, for pull-request comments and job summaries.
import type { ProjectSettings } from '../model/project-settings.js';
import type { Plan } from '../plan/plan-types.js';
import { SYMBOL, changeTarget, changeValues, createSummary, flags, groupByProject, summaryLine } from './describe-change.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderPlanMarkdown(plan: Plan): string {
  const s = plan.summary;
  const out: string[] = ['### argosctl plan', '', summaryLine(plan), ''];
  if (plan.changes.length) {
    out.push('| create | update | add | remove | projects | risky | billing |', '|---:|---:|---:|---:|---:|---:|---:|',
      `| ${s.create} | ${s.update} | ${s.add} | ${s.remove} | ${s.projectsChanged} | ${s.risky} | ${s.billing} |`, '');
  }
  const flagged = plan.changes.filter((c) => flags(c).length);
  if (flagged.length) {
    out.push('**Needs attention**', '');
    for (const c of flagged) out.push(`- \`${c.projectId}\` ${SYMBOL[c.action]} \`${changeTarget(c)}\`: ${flags(c).join('; ')}`);
    out.push('');
  }
  for (const [projectId, changes] of groupByProject(plan.changes)) {
    out.push(`<details><summary><code>${projectId}</code>: ${changes.length} change(s)</summary>`, '');
    const create = changes.find((c) => c.action === 'create');
    if (create) {
      out.push(`Created from \`${create.source?.file}:${create.source?.line}\`:`, '');
      for (const l of createSummary(create.after as unknown as ProjectSettings)) out.push(`- ${cell(l)}`);
    } else {
      out.push('| | setting | change | source |', '|---|---|---|---|');
      for (const c of changes) out.push(`| ${SYMBOL[c.action]} | \`${cell(changeTarget(c))}\` | ${cell(changeValues(c))} ${flags(c).length ? `**${cell(flags(c).join('; '))}**` : ''} | ${c.source ? `\`${c.source.file}:${c.source.line}\`` : ''} |`);
    }
    out.push('', '</details>', '');
  }
  if (plan.unmanaged.length) out.push(`_Unmanaged (no manifest, left unchanged): ${plan.unmanaged.map((u) => `\`${u}\``).join(', ')}_`, '');
  return out.join('\n');
}
