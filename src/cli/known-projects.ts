// `--project ID` on plan and apply: an id in no manifest and not in the database is a mistake
// (exit 1), not a plan with no changes.
import type { CurrentState } from '../db/read-state.js';
import type { ManifestSet } from '../manifest/manifest-set.js';
import { unknownProjects } from '../plan/unknown-projects.js';
import { UserError } from '../errors.js';

export function assertKnownProjects(
  only: readonly string[] | undefined,
  manifests: Pick<ManifestSet, 'projects'> & Partial<Pick<ManifestSet, 'unchanged'>>,
  state: Pick<CurrentState, 'projects'> & Partial<Pick<CurrentState, 'ids'>>,
): void {
  const declared = [...manifests.projects.map((p) => p.settings.id), ...(manifests.unchanged ?? []).map((u) => u.id)];
  const existing = state.ids ? new Map(state.ids.map((id) => [id, true])) : state.projects;
  const unknown = unknownProjects(only, declared, existing);
  if (unknown.length === 0) return;
  const names = unknown.map((id) => JSON.stringify(id).slice(0, 80)).join(', ');
  throw new UserError(
    `unknown project ${names}: no manifest declares it and the database does not hold it`,
    'check the id given to --project',
  );
}
