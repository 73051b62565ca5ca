// Reads token IDs from a file: one per line, CSV, or NDJSON ({"token_id": "…"} or {"tokenId": "…"}).
// CSV goes through csv-parse (quoted fields, BOM, `;` exports): the column named tokenId, token_id or
// id in a header row, else the first column. Every bad line is reported with its number.
import { quote } from '../manifest/excerpt.js';
import { parse } from 'csv-parse/sync';
import { tokenIdProblem } from './token-id.js';

export interface ImportProblem {
  line: number;
  message: string;
}

export interface ParsedImport {
  ids: string[];
  problems: ImportProblem[];
  format: 'lines' | 'csv' | 'ndjson';
}

const ID_COLUMN = /^(token_?id|id)$/i;

function detectFormat(file: string, firstLine: string): ParsedImport['format'] {
  if (/\.ndjson$|\.jsonl$/i.test(file) || firstLine.trimStart().startsWith('{')) return 'ndjson';
  if (/\.csv$/i.test(file) || /[,;]/.test(firstLine)) return 'csv';
  return 'lines';
}

/** Spreadsheets in locales with a decimal comma export `;`-separated CSV; the header line tells which. */
function csvDelimiter(firstLine: string): ',' | ';' {
  const count = (c: string) => firstLine.split(c).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

function parseCsv(text: string, firstLine: string, ids: string[], problems: ImportProblem[]): void {
  const skipped = new Map<number, string>();
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      delimiter: csvDelimiter(firstLine),
      comment: '#',
      comment_no_infix: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      info: true,
      skip_records_with_error: true,
      // A broken quote: csv-parse reports it and resumes; one message per line is enough.
      on_skip: (err) => {
        const line = Number(err?.lines);
        if (err && !skipped.has(line)) skipped.set(line, `not valid CSV: ${err.message.replace(/ at line \d+/, '')}`);
        return undefined;
      },
    }) as unknown as typeof records;
  } catch (err) {
    const e = err as { lines?: number; message: string };
    problems.push({ line: e.lines ?? 1, message: `not valid CSV: ${e.message.replace(/ at line \d+/, '')}` });
    return;
  }
  const header = records[0]?.record.findIndex((cell) => ID_COLUMN.test(cell)) ?? -1;
  const column = Math.max(header, 0);
  for (const { record, info } of header >= 0 ? records.slice(1) : records) {
    // info.lines is where the record ends; a quoted field may span lines, so count back to its start.
    const line = info.lines - (record.join('').match(/\n/g)?.length ?? 0);
    const id = record[column] ?? '';
    const problem = tokenIdProblem(id);
    if (!problem) ids.push(id);
    else if (line === 1 && header < 0 && record.length > 1 && record.every((c) => tokenIdProblem(c))) {
      problems.push({
        line,
        message: `no tokenId, token_id or id column in the header (${record.length} columns: ${record
          .slice(0, 5)
          .map((c) => quote(c))
          .join(', ')}${record.length > 5 ? ', …' : ''})`,
      });
    } else problems.push({ line, message: problem });
  }
  for (const [line, message] of skipped) problems.push({ line, message });
  problems.sort((a, b) => a.line - b.line);
}

export function parseTokenImport(file: string, text: string): ParsedImport {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const firstLine = lines.find((l) => l.trim() !== '' && !l.startsWith('#')) ?? '';
  const format = detectFormat(file, firstLine);
  const ids: string[] = [];
  const problems: ImportProblem[] = [];
  if (format === 'csv') {
    parseCsv(text, firstLine, ids, problems);
    return { ids, problems, format };
  }
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '' || raw.startsWith('#')) return;
    let id: string | undefined;
    if (format === 'ndjson') {
      try {
        const value = JSON.parse(raw);
        id =
          typeof value?.token_id === 'string'
            ? value.token_id
            : typeof value?.tokenId === 'string'
              ? value.tokenId
              : undefined;
        if (id === undefined) return problems.push({ line, message: 'no "token_id" string in this object' });
      } catch {
        return problems.push({ line, message: 'not a JSON object' });
      }
    } else {
      id = raw.trim();
    }
    const problem = tokenIdProblem(id);
    if (problem) problems.push({ line, message: problem });
    else ids.push(id);
  });
  return { ids, problems, format };
}
