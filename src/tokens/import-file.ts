// Reads token IDs from a file: one per line, CSV (first column; a `token_id` header is skipped),
// or NDJSON ({"token_id": "…"} or {"tokenId": "…"}). Every bad line is reported with its number.
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

function detectFormat(file: string, firstLine: string): ParsedImport['format'] {
  if (/\.ndjson$|\.jsonl$/i.test(file) || firstLine.trimStart().startsWith('{')) return 'ndjson';
  if (/\.csv$/i.test(file) || firstLine.includes(',')) return 'csv';
  return 'lines';
}

function csvFirstField(line: string): string {
  const m = /^\s*"((?:[^"]|"")*)"|^([^,]*)/.exec(line);
  return (m?.[1] !== undefined ? m[1].replace(/""/g, '"') : m?.[2] ?? '').trim();
}

export function parseTokenImport(file: string, text: string): ParsedImport {
  const lines = text.split(/\r?\n/);
  const format = detectFormat(file, lines.find((l) => l.trim() !== '') ?? '');
  const ids: string[] = [];
  const problems: ImportProblem[] = [];
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '' || raw.startsWith('#')) return;
    let id: string | undefined;
    if (format === 'ndjson') {
      try {
        const value = JSON.parse(raw);
        id = typeof value?.token_id === 'string' ? value.token_id : typeof value?.tokenId === 'string' ? value.tokenId : undefined;
        if (id === undefined) return problems.push({ line, message: 'no "token_id" string in this object' });
      } catch {
        return problems.push({ line, message: 'not a JSON object' });
      }
    } else {
      id = format === 'csv' ? csvFirstField(raw) : raw.trim();
      if (format === 'csv' && line === 1 && /^token_?id$/i.test(id)) return; // header
    }
    const problem = tokenIdProblem(id);
    if (problem) problems.push({ line, message: problem });
    else ids.push(id);
  });
  return { ids, problems, format };
}
