// CSV (`history --format csv`), opened in spreadsheets and printed to CI logs. A cell that starts
// with = + - @ tab or CR is a formula to a spreadsheet: it gets a leading single quote (OWASP,
// CSV injection). Control characters are shown escaped (\n, \x1b) so a cell never spans lines;
// cells with a comma or a quote are quoted, quotes doubled.
import { escapeControls } from './escape-terminal.js';

export function escapeCsv(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const raw = typeof value === 'string' ? value : JSON.stringify(value);
  const text = escapeControls(/^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw);
  return /[",]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}
