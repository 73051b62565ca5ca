// Drift reports: text for people, markdown for the drift issue. Values are escaped per medium.
import { ORIGIN_TEXT, type DriftItem } from '../drift/classify-drift.js';
import { markdownCode as code, escapeMarkdown as md } from './escape-markdown.js';
import { escapeTerminal as t } from './escape-terminal.js';
import { formatSettingValue } from './format-value.js';

export function renderDriftText(items: readonly DriftItem[]): string {
  if (items.length === 0) return 'No drift: the database matches the manifests.\n';
  const lines = items.map((i) => {
    const by = i.lastAppliedBy;
    const applied = by
      ? ` (${by.commit ? t(by.commit.slice(0, 7)) : 'no commit'}${by.pr ? `, PR #${by.pr}` : ''}, ${t(by.appliedAt)})`
      : '';
    return `${t(i.projectId)}  ${t(i.key)}\n    ${ORIGIN_TEXT[i.origin]}: git ${t(formatSettingValue(i.key, i.git))}, database ${t(formatSettingValue(i.key, i.database))}, last applied ${t(formatSettingValue(i.key, i.lastApplied))}${applied}`;
  });
  return `${lines.join('\n')}\n\n${items.length} difference(s).\n`;
}

export function renderDriftMarkdown(items: readonly DriftItem[]): string {
  const out = [
    '### argosctl drift',
    '',
    `${items.length} difference(s) between the manifests and the database.`,
    '',
    '| project | setting | origin | git | database | last applied |',
    '|---|---|---|---|---|---|',
  ];
  for (const i of items) {
    out.push(
      `| ${code(i.projectId)} | ${code(i.key)} | ${ORIGIN_TEXT[i.origin]} | ${md(formatSettingValue(i.key, i.git))} | ${md(formatSettingValue(i.key, i.database))} | ${md(formatSettingValue(i.key, i.lastApplied))}${i.lastAppliedBy?.pr ? ` (#${i.lastAppliedBy.pr})` : ''} |`,
    );
  }
  return out.join('\n') + '\n';
}
