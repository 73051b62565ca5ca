// CSV (`history --format csv`), opened in spreadsheets and printed to CI logs. A cell that starts
// with = + - @ tab or CR is a formula to a spreadsheet: it gets a leading single quote (OWASP,
// CSV injection). Control characters are shown escaped (\n, \x1b) so a cell never spans lines.
// Quoting itself is csv-stringify's job in the renderer; escapeCsv is the one-cell form of both.
import { escapeControls } from './escape-terminal.js';

/** The cell's text, formula-neutralised and with controls escaped, but not yet quoted. */
export function neutraliseCsvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const raw = typeof value === 'string' ? value : JSON.stringify(value);
  return escapeControls(/^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw);
}

/** One neutralised cell, quoted when it holds a comma, a quote or edge whitespace (quotes doubled). */
export function escapeCsv(value: unknown): string {
  const text = neutraliseCsvCell(value);
  return /[",]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}
