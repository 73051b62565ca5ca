// The audit trail as CSV for download: through csvText, so a cell starting with = + - @ tab or CR
// gets a leading ' (a spreadsheet would run it as a formula).
import { csvText } from '../render/escape-csv.js';
import type { AuditRow } from './queries.js';

const COLUMNS = [
  'time',
  'project',
  'actor',
  'action',
  'setting',
  'member',
  'before',
  'after',
  'commit',
  'pr',
  'reason',
];

export function csvOfAudit(rows: readonly AuditRow[]): string {
  return csvText([
    COLUMNS,
    ...rows.map((r) => [
      r.at.toISOString(),
      r.project,
      r.actor,
      r.action,
      r.path,
      r.member,
      r.before === null ? '' : JSON.stringify(r.before),
      r.after === null ? '' : JSON.stringify(r.after),
      r.commit,
      r.pr,
      r.reason,
    ]),
  ]);
}
