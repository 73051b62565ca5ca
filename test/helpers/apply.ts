// Plan-and-apply through the library, as the CLI does it, for database tests.
import { lockedApply } from '../../src/apply/apply-plan.js';
import type { Database } from '../../src/db/connection.js';
import { readManifests } from '../../src/manifest/read-manifests.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import type { Plan } from '../../src/plan/plan-types.js';
import { readState } from '../../src/db/read-state.js';

export async function planDir(database: Database, dir: string): Promise<Plan> {
  const set = await readManifests(dir);
  if (set.diagnostics.length) throw new Error(JSON.stringify(set.diagnostics));
  const state = await readState(database.db);
  return buildPlan({ manifests: set, state, git: {}, now: new Date() });
}

export async function applyDir(database: Database, dir: string): Promise<Plan> {
  const set = await readManifests(dir);
  const result = await lockedApply(database.db, undefined, (state) => buildPlan({
    manifests: set, state, git: { commit: 'abc123' }, now: new Date(),
  }), { actor: 'test', git: { commit: 'abc123' }, lock: { timeoutMs: 0 } });
  return result.plan;
}
