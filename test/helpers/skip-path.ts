// The skip path against the full path: apply recording every file's source, then a plan that skips
// the unchanged files, checked to be the full path's plan field for field.
import { expect } from 'vitest';
import { lockedApply } from '../../src/apply/apply-plan.js';
import { recordableSources } from '../../src/apply/record-sources.js';
import { readRevisions } from '../../src/db/applied-sources.js';
import type { Database } from '../../src/db/connection.js';
import { readState } from '../../src/db/read-state.js';
import { appliedOracle } from '../../src/manifest/read/skip-unchanged.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { readManifests } from '../../src/validate/read-manifests.js';

/** Applies `dir` as `apply` does, recording each file's source (what the skip path reads back). */
export async function applyRecording(database: Database, dir: string, now = new Date()) {
  const manifests = await readManifests(dir);
  return lockedApply(database.db, undefined, (state) => buildPlan({ manifests, state, git: {}, now }), {
    actor: 'test',
    git: {},
    lock: { timeoutMs: 0 },
    record: (plan, held) => recordableSources(manifests, plan, held),
  });
}

/**
 * The skip path's plan (of the projects in `only`, or all), after checking that it and its
 * diagnostics are the full path's; with the ids of the projects whose files were skipped.
 */
export async function samePlan(database: Database, dir: string, options: { now: Date; only?: string[] }) {
  const { now, only } = options;
  const revisions = await readRevisions(database.db);
  const fast = await readManifests(dir, { skip: appliedOracle(revisions) });
  const skipped = new Map(fast.unchanged.map((u) => [u.id, revisions.get(u.id)!]));
  const state = await readState(database.db, undefined, skipped);
  const plan = buildPlan({ only, manifests: fast, state, git: {}, now });
  const full = await readManifests(dir);
  const fullPlan = buildPlan({ only, manifests: full, state: await readState(database.db), git: {}, now });
  expect(fast.diagnostics).toEqual(full.diagnostics);
  expect(plan).toEqual(fullPlan);
  return { plan, skipped: fast.unchanged.map((u) => u.id).sort(), diagnostics: fast.diagnostics };
}
