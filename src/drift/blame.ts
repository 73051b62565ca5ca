// Blame: for each current setting of a project, the apply that last set it to its current value,
// or none (the value was changed outside git since). Shared by `argosctl blame` and the dashboard.
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { readState } from '../db/read-state.js';
import { flattenSettings } from '../model/flatten.js';
import type { Json } from '../model/project-settings.js';
import { readApplyHistory, replayAudit, type AuditRef } from './audit-replay.js';

export interface SettingBlame {
  setting: string;
  value: Json;
  setBy: AuditRef | null;
  outsideGit: boolean;
}

/** The project's settings with who set each, or undefined when the project does not exist. */
export async function blameProject(db: Kysely<DatabaseSchema>, project: string): Promise<SettingBlame[] | undefined> {
  const [state, history] = await Promise.all([readState(db, [project]), readApplyHistory(db, project)]);
  const current = state.projects.get(project);
  if (!current) return undefined;
  const applied = replayAudit(history).get(project);
  return [...flattenSettings(current)].map(([key, value]) => {
    const last = applied?.get(key);
    const setBy = last && JSON.stringify(last.value) === JSON.stringify(value) ? last.setBy : null;
    return { setting: key, value, setBy, outsideGit: !setBy };
  });
}
