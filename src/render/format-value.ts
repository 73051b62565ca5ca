// How one setting's value reads in text and markdown output.
import { createHash } from 'node:crypto';

export function isPem(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('-----BEGIN ');
}

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '(unset)';
  if (isPem(value)) return `<public key ${createHash('sha256').update(value).digest('hex').slice(0, 16)}>`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && Object.keys(value as object).length === 0) return Array.isArray(value) ? '[]' : '{}';
  return JSON.stringify(value);
}
