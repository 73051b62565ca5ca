// Convergence, by property: for generated desired and current states, applying the plan makes
// the state read back equal the desired one, the next plan is empty, and planning writes nothing.
import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { lockedApply } from '../../src/apply/apply-plan.js';
import type { Database } from '../../src/db/connection.js';
import { readState } from '../../src/db/read-state.js';
import type { DesiredProject } from '../../src/manifest/manifest-set.js';
import type { ProjectSettings } from '../../src/model/project-settings.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { projectSettings } from '../helpers/arbitraries.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { snapshot } from '../helpers/snapshot.js';
import { depth } from '../helpers/deep.js';

const IDS = ['p-a', 'p-b', 'p-c'];
// ARGOS_DEEP=1: the full 100 and 50 runs (test/helpers/deep.ts).
const RUNS = { pglite: depth(100, 20), postgres: depth(50, 10) } as const;

function manifestsOf(projects: ProjectSettings[]) {
  const desired: DesiredProject[] = projects.map((settings) => ({
    settings,
    file: 'gen.yaml',
    line: 1,
    lineOf: () => 1,
  }));
  return { projects: desired, digest: `sha256:${projects.length}` };
}

async function applyAll(database: Database, projects: ProjectSettings[]) {
  const manifests = manifestsOf(projects);
  return lockedApply(
    database.db,
    undefined,
    (state) => buildPlan({ manifests, state, git: {}, now: new Date(), allowReopen: true }),
    { actor: 'prop', git: {}, lock: { timeoutMs: 0 } },
  );
}

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`convergence on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    let database: Database;
    beforeAll(() => {
      database = fresh.database;
    });

    it(`apply(plan(desired, current)) reads back as desired; the next plan is empty (${RUNS[target.name]} runs)`, async () => {
      const states = fc.tuple(...IDS.map((id) => fc.option(projectSettings(id), { freq: 4 })));
      await fc.assert(
        fc.asyncProperty(states, states, async (currentSlots, desiredSlots) => {
          await sql`truncate projects, audit_log, applied_plans cascade`.execute(database.db);
          const current = currentSlots.filter((p): p is ProjectSettings => p !== null);
          const desired = desiredSlots.filter((p): p is ProjectSettings => p !== null);
          await applyAll(database, current);

          const beforePlan = await snapshot(database.db);
          const state = await readState(database.db);
          const plan = buildPlan({
            manifests: manifestsOf(desired),
            state,
            git: {},
            now: new Date(),
            allowReopen: true,
          });
          expect(await snapshot(database.db)).toBe(beforePlan); // planning wrote nothing

          await applyAll(database, desired);
          const after = await readState(database.db);
          for (const p of desired) expect(after.projects.get(p.id)).toEqual(p);
          for (const p of current) if (!desired.some((d) => d.id === p.id)) expect(after.projects.get(p.id)).toEqual(p); // unmanaged: untouched
          const next = buildPlan({ manifests: manifestsOf(desired), state: after, git: {}, now: new Date() });
          expect(next.changes).toEqual([]);
          const audited = await sql<{
            n: number;
          }>`select count(*)::int as n from audit_log where actor = 'prop'`.execute(database.db);
          expect(audited.rows[0].n).toBe(current.length + plan.changes.length);
        }),
        { numRuns: RUNS[target.name] },
      ); // bounded by count only: a loaded machine runs them all, slower
    });
  });
}
