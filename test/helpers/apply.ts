// Plan-and-apply through the library, as the CLI does it, for database tests.
import { lockedApply, type ApplyResult } from '../../src/apply/apply-plan.js';
import { refuseOrHold } from '../../src/apply/guard-plan.js';
import { recomputeSavedPlan } from '../../src/apply/saved-plan.js';
import type { Database } from '../../src/db/connection.js';
import { hasErrors } from '../../src/manifest/diagnostic.js';
import { readManifests } from '../../src/validate/read-manifests.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import type { Plan } from '../../src/plan/plan-types.js';
import { readState } from '../../src/db/read-state.js';

export async function planDir(database: Database, dir: string): Promise<Plan> {
  const set = await readManifests(dir);
  if (hasErrors(set.diagnostics)) throw new Error(JSON.stringify(set.diagnostics));
  const state = await readState(database.db);
  return buildPlan({ manifests: set, state, git: {}, now: new Date() });
}

export async function applyDir(database: Database, dir: string, masterKey?: () => Buffer): Promise<Plan> {
  const set = await readManifests(dir);
  const result = await lockedApply(
    database.db,
    undefined,
    (state) =>
      buildPlan({
        manifests: set,
        state,
        git: { commit: 'abc123' },
        now: new Date(),
      }),
    { actor: 'test', git: { commit: 'abc123' }, lock: { timeoutMs: 0 }, masterKey },
  );
  return result.plan;
}

/** `argosctl apply FILE` through the library: recompute under the lock, compare, guard, apply. */
export async function applySavedPlan(
  database: Database,
  dir: string,
  saved: Plan,
  allow: string[] = [],
): Promise<ApplyResult> {
  const set = await readManifests(dir);
  return lockedApply(
    database.db,
    saved.scope === 'all' ? undefined : saved.scope,
    (state) => recomputeSavedPlan(saved, set, state),
    {
      actor: 'test',
      git: { commit: 'abc123' },
      lock: { timeoutMs: 0 },
      savedPlanDigest: saved.planDigest,
      check: (plan) =>
        refuseOrHold(plan, {
          allow: new Set(allow),
          force: false,
          organization: set.organization,
          declaredProjects: set.projects.length,
        }),
    },
  );
}

/** `argosctl apply --auto-approve [--allow …]` through the library, with the apply-time guards. */
export async function applyDirGuarded(database: Database, dir: string, allow: string[] = []): Promise<ApplyResult> {
  const set = await readManifests(dir);
  return lockedApply(
    database.db,
    undefined,
    (state) => buildPlan({ manifests: set, state, git: {}, now: new Date() }),
    {
      actor: 'test',
      git: {},
      lock: { timeoutMs: 0 },
      check: (plan) =>
        refuseOrHold(plan, {
          allow: new Set(allow),
          force: false,
          organization: set.organization,
          declaredProjects: set.projects.length,
        }),
    },
  );
}
