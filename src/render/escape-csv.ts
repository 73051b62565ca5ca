// CSV (`history --format csv`), opened in spreadsheets and printed to CI logs. A cell that starts
// with = + - @ tab or CR is a formula to a spreadsheet: it gets a leading single quote (OWASP,
// CSV injection). Control characters are shown escaped (\n, \x1b) so a cell never spans lines.
// Quoting is csv-stringify's; csvText does both steps and is the only way CSV is written.
import { stringify } from 'csv-stringify/sync';
import { escapeControls } from './escape-terminal.js';

/** The cell's text, formula-neutralised and with controls escaped, but not yet quoted. */
export function neutraliseCsvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const raw = typeof value === 'string' ? value : JSON.stringify(value);
  return escapeControls(/^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw);
}

/** Rows as CSV text: every cell neutralised, then quoted by csv-stringify (edge whitespace quoted too). */
export function csvText(rows: readonly (readonly unknown[])[]): string {
  return stringify(
    rows.map((row) => row.map(neutraliseCsvCell)),
    { record_delimiter: 'unix', quoted_match: /^\s|\s$/ },
  );
}

/** One cell as it appears in a CSV line. */
export function escapeCsv(value: unknown): string {
  return csvText([[value]]).replace(/\n$/, '');
}
