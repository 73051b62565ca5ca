// Creating thousands of projects in one apply: every multi-row INSERT must stay under the wire
// protocol's 65,535 parameters, whatever the number of columns a table has grown to.
import { describe, expect, it } from 'vitest';
import { lockedApply } from '../../src/apply/apply-plan.js';
import { readState } from '../../src/db/read-state.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { admin, project } from '../helpers/builders.js';

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;

describe.skipIf(!postgres.available)('one apply creating 3,500 projects on postgres', () => {
  const fresh = useFreshDatabase(postgres);

  it('writes them all (3,500 rows × every project column is over 65,535 parameters: it must be chunked)', async () => {
    const projects = Array.from({ length: 3500 }, (_, i) => ({
      settings: project(`bulk-${i}`, { admins: [admin('ops@bulk.example')], ipWhitelistApi: ['203.0.113.0/24'] }),
      file: `projects/bulk-${i}.yaml`,
      line: 1,
      lineOf: () => 1,
    }));
    await lockedApply(
      fresh.database.db,
      undefined,
      (state) =>
        buildPlan({
          manifests: { projects, digest: 'sha256:test' },
          state,
          git: {},
          now: new Date(),
        }),
      { actor: 'test', git: {}, lock: { timeoutMs: 0 } },
    );
    const state = await readState(fresh.database.db);
    expect(state.projects.size).toBe(3500);
    expect(state.projects.get('bulk-3499')?.admins).toEqual([admin('ops@bulk.example')]);
  });
});
