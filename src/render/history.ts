// The audit trail for auditors: `history` as text, markdown and CSV, and `blame` as text. Actors,
// authors, commits, reasons, values and commit subjects are user text, escaped per medium.
import type { AuditRef } from '../drift/audit-replay.js';
import { escapeCsv } from './escape-csv.js';
import { markdownCode as code, escapeMarkdown as md } from './escape-markdown.js';
import { escapeTerminal as t } from './escape-terminal.js';
import { formatValue } from './format-value.js';

export interface HistoryItem {
  id: string;
  time: string;
  actor: string;
  commit: string | null;
  author: string | null;
  pr: number | null;
  project: string;
  action: string;
  setting: string;
  before: unknown;
  after: unknown;
  reason: string | null;
  plan: string | null;
}

export interface BlameLine {
  setting: string;
  value: unknown;
  setBy: AuditRef | null;
  subject: string | null;
  outsideGit: boolean;
}

const CSV_COLUMNS = ['time', 'actor', 'commit', 'author', 'pr', 'project', 'action', 'setting', 'before', 'after', 'reason'] as const;

export function renderHistoryCsv(items: readonly HistoryItem[]): string {
  return [CSV_COLUMNS.join(','), ...items.map((i) => CSV_COLUMNS.map((c) => escapeCsv(i[c])).join(','))].join('\n') + '\n';
}

export function renderHistoryMarkdown(items: readonly HistoryItem[]): string {
  return ['| time | actor | commit | PR | project | change | before | after |', '|---|---|---|---|---|---|---|---|',
    ...items.map((i) => `| ${md(i.time)} | ${md(i.actor)} | ${md(i.commit?.slice(0, 7) ?? '')} | ${i.pr ? `#${i.pr}` : ''} | ${code(i.project)} | ${md(i.action)} ${code(i.setting)} | ${md(formatValue(i.before))} | ${md(formatValue(i.after))} |`),
  ].join('\n') + '\n';
}

export function renderHistoryText(items: readonly HistoryItem[]): string {
  if (!items.length) return 'No applied changes.\n';
  return items.map((i) => {
    const values = i.action === 'create' ? '' : `: ${t(formatValue(i.before))} → ${t(formatValue(i.after))}`;
    return `${t(i.time)}  ${t(i.actor)}  ${t(i.commit?.slice(0, 7) ?? '-------')}${i.pr ? ` #${i.pr}` : ''}  ${t(i.project)}  ${t(i.action)} ${t(i.setting)}${values}\n`;
  }).join('');
}

export function renderBlameText(lines: readonly BlameLine[]): string {
  return lines.map((l) => {
    const by = l.setBy ? `${t(l.setBy.commit?.slice(0, 7) ?? '-------')}${l.setBy.pr ? ` #${l.setBy.pr}` : ''} ${t(l.setBy.actor)} ${t(l.setBy.appliedAt.slice(0, 10))}` : '(not set by an apply)';
    return `${by}  ${t(l.setting)} = ${t(formatValue(l.value))}${l.subject ? `  — ${t(l.subject)}` : ''}\n`;
  }).join('');
}
