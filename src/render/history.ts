// The audit trail for auditors: `history` as text, markdown and CSV, and `blame` as text. Actors,
// authors, commits, reasons, values and commit subjects are user text, escaped per medium.
import type { AuditRef } from '../drift/audit-replay.js';
import { csvText } from './escape-csv.js';
import { markdownCode as code, escapeMarkdown as md } from './escape-markdown.js';
import { escapeTerminal as t } from './escape-terminal.js';
import { formatSettingValue, formatValue } from './format-value.js';

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

const CSV_COLUMNS = [
  'time',
  'actor',
  'commit',
  'author',
  'pr',
  'project',
  'action',
  'setting',
  'before',
  'after',
  'reason',
] as const;

/** Durations and set members as written (24h, present); other values as stored, for tools. */
function csvValue(i: HistoryItem, column: (typeof CSV_COLUMNS)[number]): unknown {
  if (column !== 'before' && column !== 'after') return i[column];
  const shown = formatSettingValue(i.setting, i[column]);
  return shown === formatValue(i[column]) ? i[column] : shown;
}

/** Every cell through csvText: formulas neutralised, then quoted by csv-stringify. */
export function renderHistoryCsv(items: readonly HistoryItem[]): string {
  return csvText([[...CSV_COLUMNS], ...items.map((i) => CSV_COLUMNS.map((c) => csvValue(i, c)))]);
}

export function renderHistoryMarkdown(items: readonly HistoryItem[]): string {
  return (
    [
      '| time | actor | commit | PR | project | change | before | after |',
      '|---|---|---|---|---|---|---|---|',
      ...items.map(
        (i) =>
          `| ${md(i.time)} | ${md(i.actor)} | ${md(i.commit?.slice(0, 7) ?? '')} | ${i.pr ? `#${i.pr}` : ''} | ${code(i.project)} | ${md(i.action)} ${code(i.setting)} | ${i.action === 'create' ? ' | ' : `${md(formatSettingValue(i.setting, i.before))} | ${md(formatSettingValue(i.setting, i.after))}`} |`,
      ),
    ].join('\n') + '\n'
  );
}

export function renderHistoryText(items: readonly HistoryItem[]): string {
  if (!items.length) return 'No applied changes.\n';
  return items
    .map((i) => {
      const values =
        i.action === 'create'
          ? ''
          : `: ${t(formatSettingValue(i.setting, i.before))} → ${t(formatSettingValue(i.setting, i.after))}`;
      return `${t(i.time)}  ${t(i.actor)}  ${t(i.commit?.slice(0, 7) ?? '-------')}${i.pr ? ` #${i.pr}` : ''}  ${t(i.project)}  ${t(i.action)} ${t(i.setting)}${values}\n`;
    })
    .join('');
}

export function renderBlameText(lines: readonly BlameLine[]): string {
  return lines
    .map((l) => {
      const by = l.setBy
        ? `${t(l.setBy.commit?.slice(0, 7) ?? '-------')}${l.setBy.pr ? ` #${l.setBy.pr}` : ''} ${t(l.setBy.actor)} ${t(l.setBy.appliedAt.slice(0, 10))}`
        : '(not set by an apply)';
      return `${by}  ${t(l.setting)} = ${t(formatSettingValue(l.setting, l.value))}${l.subject ? `  — ${t(l.subject)}` : ''}\n`;
    })
    .join('');
}
