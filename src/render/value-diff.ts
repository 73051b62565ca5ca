// For settings whose value is an object (labels, fraud-detection options), the lines that
// changed, so a reviewer sees `threshold 80 → 85` instead of two long JSON blobs.
import { diffJson } from 'diff';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `-`/`+` lines of the JSON that differs, or undefined when the values are not both objects. */
export function objectDiffLines(before: unknown, after: unknown): string[] | undefined {
  if (!isObject(before) || !isObject(after)) return undefined;
  const lines: string[] = [];
  for (const part of diffJson(before, after)) {
    if (!part.added && !part.removed) continue;
    for (const line of part.value.split('\n').filter((l) => l.trim() !== ''))
      lines.push(`${part.added ? '+' : '-'} ${line.trim().replace(/,$/, '')}`);
  }
  return lines;
}
