// Longest files first, so no long file starts near the end and finishes the run alone (the pool
// hands files out one at a time, in this order). A clean CI run has no timings from an earlier
// run, and vitest would then start the largest files by bytes, which are not the slowest: these
// are, as measured in a full run (seconds under load on 2 cores). The rest follow in vitest's
// own order. A file missing from the list, or listed out of order, costs time, never a result.
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const SLOWEST_FIRST = [
  'test/cli/e2e.test.ts', // 29 s
  'test/safety/policy-from.test.ts', // 25 s
  'test/cli/stop-signals.test.ts', // 21 s
  'test/db/pglite-template.test.ts', // 21 s
  'test/github/github.test.ts', // 20 s
  'test/config/state-explicit.test.ts', // 17 s
  'test/safety/crash.test.ts', // 17 s
  'test/github/action.test.ts', // 16 s
  'test/safety/schema-edges.property.test.ts', // 15 s
  'test/dashboard/browser.test.ts', // 15 s
  'test/safety/convergence.property.test.ts', // 15 s
  'test/server/serve-cli.test.ts', // 15 s
  'test/cli/json-outputs.test.ts', // 14 s
  'test/tokens/deleted-counter-race.test.ts', // 14 s
  'test/tokens/conformance.test.ts', // 14 s
  'test/tokens/token-store.test.ts', // 14 s
  'test/cli/program.test.ts', // 13 s
  'test/tokens/expired-counter.test.ts', // 12 s
  'test/safety/crash-embedded.test.ts', // 12 s
  'test/export/export-cli.test.ts', // 11 s
  'test/safety/hostile-files.test.ts', // 11 s
  'test/drift/drift-check-record.test.ts', // 11 s
  'test/cli/conventions.test.ts', // 10 s
  'test/config/ci-database.test.ts', // 9 s
  'test/server/hostile-clients.test.ts', // 9 s
  'test/server/token-api.test.ts', // 8 s
  'test/cli/init.test.ts', // 8 s
  'test/export/export-roundtrip.property.test.ts', // 7 s
  'test/cli/interrupt.test.ts', // 7 s
  'test/audit/timeline.test.ts', // 7 s
  'test/tokens/tokens-cli.test.ts', // 7 s
  'test/manifest/lint-rules.test.ts', // 6 s
  'test/safety/concurrency.test.ts', // 6 s
  'test/plan/traffic-impact.test.ts', // 6 s
  'test/manifest/validate-memo.test.ts', // 6 s
  'test/tokens/token-count-plan.test.ts', // 6 s
  'test/cli/apply-secrets.test.ts', // 5 s
  'test/plan/lint-ignores-skip.test.ts', // 5 s
];

export default class SlowestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const at = SLOWEST_FIRST.indexOf(
        path.relative(spec.project.config.root, spec.moduleId).split(path.sep).join('/'),
      );
      return at === -1 ? SLOWEST_FIRST.length : at;
    };
    return sorted
      .map((spec, order) => ({ spec, order, rank: rank(spec) }))
      .sort((a, b) => a.rank - b.rank || a.order - b.order)
      .map(({ spec }) => spec);
  }
}
