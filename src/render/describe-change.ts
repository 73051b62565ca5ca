// Words shared by the text and markdown plan renderers.
import type { CreatedSetting } from '../plan/created-settings.js';
import type { Change, CreateChange, Plan } from '../plan/plan-types.js';
import { formatSettingValue, formatValue } from './format-value.js';

export const SYMBOL: Record<Change['action'], string> = { create: '+', update: '~', add: '+', remove: '-' };

export function changeTarget(c: Change): string {
  return c.member !== undefined ? `${c.path}[${c.member}]` : c.path;
}

/** Durations are stored in seconds but written like `24h` in manifests: show them as written. */
function shownValue(path: string, value: Change['before'], written?: string): string {
  return written ?? formatSettingValue(path, value);
}

export function changeValues(c: Change): string {
  switch (c.action) {
    case 'create':
      return '';
    case 'update':
      return `${shownValue(c.path, c.before)} → ${shownValue(c.path, c.after, c.written)}${c.default ? ' (default)' : ''}`;
    case 'add':
      return c.after && Object.keys(c.after as object).length ? formatValue(c.after) : '';
    case 'remove':
      return '';
  }
}

export function flags(c: Change): string[] {
  const out: string[] = [];
  if (c.billing) out.push('billing: credit usage may be charged');
  if (c.risk?.length) out.push(`risk: ${c.risk.join(', ')}`);
  return out;
}

/** One set value of a new project as `target: value` (a list member shows as its list's path and the member). */
export function createdSettingRow(setting: CreatedSetting): { target: string; value: string; isDefault: boolean } {
  if (setting.member !== undefined) {
    const attributes =
      setting.value && typeof setting.value === 'object' && Object.keys(setting.value).length
        ? ` ${formatValue(setting.value)}`
        : '';
    return { target: setting.path, value: `${setting.member}${attributes}`, isDefault: false };
  }
  return {
    target: setting.path,
    value: shownValue(setting.path, setting.value, setting.written),
    isDefault: setting.default === true,
  };
}

export function createdSettings(c: CreateChange): CreatedSetting[] {
  return c.settings ?? []; // a plan saved before create changes listed their settings
}

export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  if (plan.changes.length === 0) return 'No changes. The database matches the manifests.';
  const extra = [s.risky ? `${s.risky} risky` : '', s.billing ? `${s.billing} billing-relevant` : '']
    .filter(Boolean)
    .join(', ');
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.add} to add, ${s.remove} to remove across ${s.projectsChanged} project(s)${extra ? ` (${extra})` : ''}.`;
}

export function groupByProject(changes: readonly Change[]): Map<string, Change[]> {
  const out = new Map<string, Change[]>();
  for (const c of changes) {
    const list = out.get(c.projectId) ?? [];
    list.push(c);
    out.set(c.projectId, list);
  }
  return out;
}
