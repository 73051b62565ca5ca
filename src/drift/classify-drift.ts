// Drift: every difference between manifests and database, told apart by the last applied state.
// Pure: the caller reads the plan, the current state and the audit replay.
import { jsonEqual } from '../util/canonical-json.js';
import { flattenSettings, settingKey } from '../model/flatten.js';
import type { Json, ProjectSettings } from '../model/project-settings.js';
import type { Change } from '../plan/plan-types.js';
import type { AppliedState, AuditRef } from './audit-replay.js';

export type DriftOrigin = 'git' | 'database' | 'both' | 'unknown';

export const ORIGIN_TEXT: Record<DriftOrigin, string> = {
  git: 'changed in git, not yet applied',
  database: 'changed in the database outside git',
  both: 'changed in git and in the database',
  unknown: 'no apply history for this setting',
};

export interface DriftItem {
  projectId: string;
  key: string;
  git: Json;
  database: Json;
  lastApplied: Json;
  lastAppliedBy?: AuditRef;
  origin: DriftOrigin;
}

const same = (a: Json | undefined, b: Json | undefined) => jsonEqual(a ?? null, b ?? null);

export function classifyDrift(
  changes: readonly Change[],
  desired: ReadonlyMap<string, ProjectSettings>,
  current: ReadonlyMap<string, ProjectSettings>,
  applied: AppliedState,
): DriftItem[] {
  const flat = new Map<string, { git: Map<string, Json>; db: Map<string, Json> }>();
  const flatOf = (id: string) => {
    if (!flat.has(id)) {
      const d = desired.get(id);
      const c = current.get(id);
      flat.set(id, { git: d ? flattenSettings(d) : new Map(), db: c ? flattenSettings(c) : new Map() });
    }
    return flat.get(id)!;
  };
  return changes.map((c) => {
    const history = applied.get(c.projectId);
    if (c.action === 'create') {
      return {
        projectId: c.projectId,
        key: 'project',
        git: 'declared',
        database: null,
        lastApplied: history ? 'created' : null,
        origin: history ? 'database' : 'git',
      } satisfies DriftItem; // created once, now gone: removed outside git
    }
    const key = settingKey(c.path, c.member);
    const { git, db } = flatOf(c.projectId);
    const last = history?.get(key);
    const item = {
      projectId: c.projectId,
      key,
      git: git.get(key) ?? null,
      database: db.get(key) ?? null,
      lastApplied: last?.value ?? null,
      lastAppliedBy: last?.setBy,
    };
    if (!history) return { ...item, origin: 'unknown' as const };
    const gitMoved = !same(item.git, item.lastApplied);
    const dbMoved = !same(item.database, item.lastApplied);
    return {
      ...item,
      origin: gitMoved && dbMoved ? ('both' as const) : dbMoved ? ('database' as const) : ('git' as const),
    };
  });
}
