// Drift reports: text for people, markdown for the drift issue.
import { ORIGIN_TEXT, type DriftItem } from '../drift/classify-drift.js';
import { formatValue } from './format-value.js';

export function renderDriftText(items: readonly DriftItem[]): string {
  if (items.length === 0) return 'No drift: the database matches the manifests.\n';
  const lines = items.map((i) => `${i.projectId}  ${i.key}\n    ${ORIGIN_TEXT[i.origin]}: git ${formatValue(i.git)}, database ${formatValue(i.database)}, last applied ${formatValue(i.lastApplied)}${i.lastAppliedBy ? ` (${i.lastAppliedBy.commit?.slice(0, 7) ?? 'no commit'}${i.lastAppliedBy.pr ? `, PR #${i.lastAppliedBy.pr}` : ''}, ${i.lastAppliedBy.appliedAt})` : ''}`);
  return `${lines.join('\n')}\n\n${items.length} difference(s).\n`;
}

export function renderDriftMarkdown(items: readonly DriftItem[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const out = ['### argosctl drift', '', `${items.length} difference(s) between the manifests and the database.`, '',
    '| project | setting | origin | git | database | last applied |', '|---|---|---|---|---|---|'];
  for (const i of items) {
    out.push(`| \`${i.projectId}\` | \`${cell(i.key)}\` | ${ORIGIN_TEXT[i.origin]} | ${cell(formatValue(i.git))} | ${cell(formatValue(i.database))} | ${cell(formatValue(i.lastApplied))}${i.lastAppliedBy?.pr ? ` (#${i.lastAppliedBy.pr})` : ''} |`);
  }
  return out.join('\n') + '\n';
}
