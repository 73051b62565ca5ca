// JSON with object keys sorted, so equal values always give equal text (and equal digests).
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';

/**
 * `canonicalJson(a) === canonicalJson(b)`, without writing either out: a plan compares every
 * setting of every project, and the strings were a tenth of a 10,000-file plan's garbage.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true; // most compared values are equal strings, numbers and booleans
  if (!isObject(a) || !isObject(b))
    return !isObject(a) && !isObject(b) && JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  // Keys whose value is undefined are not written: they count as absent.
  let written = 0;
  for (const key of Object.keys(a)) {
    if (a[key] === undefined) continue;
    written++;
    if (!Object.hasOwn(b, key) || b[key] === undefined || !jsonEqual(a[key], b[key])) return false;
  }
  for (const key of Object.keys(b)) if (b[key] !== undefined) written--;
  return written === 0;
}
