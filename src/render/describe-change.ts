// Words shared by the text and markdown plan renderers.
import type { ProjectSettings } from '../model/project-settings.js';
import type { Change, Plan } from '../plan/plan-types.js';
import { formatDuration } from '../util/duration.js';
import { formatValue } from './format-value.js';

export const SYMBOL: Record<Change['action'], string> = { create: '+', update: '~', add: '+', remove: '-' };

export function changeTarget(c: Change): string {
  return c.member !== undefined ? `${c.path}[${c.member}]` : c.path;
}

/** Durations are stored in seconds but written like `24h` in manifests: show them that way. */
function valueOf(path: string, value: Change['before']): string {
  return path === 'spec.liveform.tokens.expiration.after' && typeof value === 'number' ? formatDuration(value) : formatValue(value);
}

export function changeValues(c: Change): string {
  switch (c.action) {
    case 'create': return '';
    case 'update': return `${valueOf(c.path, c.before)} → ${valueOf(c.path, c.after)}`;
    case 'add': return c.after && Object.keys(c.after as object).length ? formatValue(c.after) : '';
    case 'remove': return '';
  }
}

export function flags(c: Change): string[] {
  const out: string[] = [];
  if (c.billing) out.push('billing: credit usage may be charged');
  if (c.risk?.length) out.push(`risk: ${c.risk.join(', ')}`);
  return out;
}

/** A few lines that say what a new project will look like. */
export function createSummary(s: ProjectSettings): string[] {
  const methods = (['idDocument', 'knowledgeBased'] as const).filter((m) => s.authMethods[m].enabled);
  return [
    `status ${s.status}, submissions ${s.submissions}, auth methods: ${methods.join(', ') || 'none'}`,
    `liveform: private mode ${s.privateMode ? 'on' : 'off'}, token pre-registration ${s.tokenPreRegistration ? 'on' : 'off'}`,
    `encryption: ${s.encryptedOnly ? 'encrypted-only, ' : ''}${s.encryptionMethod}, keys: ${s.encryptionKeys.map((k) => `${k.name} (${k.status})`).join(', ') || 'none'}`,
    `security: privacy protection ${s.privacyProtection ? 'on' : 'off'}, secure transmission ${s.secureTransmission ? 'on' : 'off'}, whitelist dashboard ${s.ipWhitelistDashboard.length}, api ${s.ipWhitelistApi.length}`,
    `admins: ${s.admins.join(', ') || 'none'}`,
  ];
}

export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  if (plan.changes.length === 0) return 'No changes. The database matches the manifests.';
  const extra = [s.risky ? `${s.risky} risky` : '', s.billing ? `${s.billing} billing-relevant` : ''].filter(Boolean).join(', ');
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
