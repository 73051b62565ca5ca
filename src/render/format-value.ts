// How one setting's value reads in text and markdown output.
import { DURATION_PATHS } from '../model/fields.js';
import { isPem, pemLabel } from '../transmit/fingerprint.js';
import { formatDuration } from '../util/duration.js';

export { isPem };

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '(unset)';
  if (isPem(value)) return `<public key ${pemLabel(value)}>`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && Object.keys(value as object).length === 0) return Array.isArray(value) ? '[]' : '{}';
  return JSON.stringify(value);
}

/**
 * A setting's value as written in a manifest, for history, blame and drift: durations as `24h`
 * (stored in seconds), and a set member (`spec.admins[ops@x]`, an IP range) as `present` rather than
 * the `{}` that stands for "a member without attributes"; a key's attributes as `status=active`.
 */
export function formatSettingValue(setting: string, value: unknown): string {
  const member = /\[[^\]]*\]$/.test(setting);
  const path = setting.replace(/\[[^\]]*\]$/, '');
  if (DURATION_PATHS.has(path) && typeof value === 'number') return formatDuration(value);
  if (member && value === null) return '(absent)';
  if (member && typeof value === 'object' && value !== null && !Array.isArray(value) && !isPem(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length
      ? entries.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')
      : 'present';
  }
  return formatValue(value);
}
