// Prints one plain closing line, "N passed, N failed, N skipped", that any CI can read, after the
// 10 slowest test files (their tests and hooks, then the import time), so the suite's budget
// (4 minutes, docs/development.md) is watched where the time goes.
import type { Reporter, TestModule } from 'vitest/node';

const SLOWEST = 10;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const m of modules) {
      for (const test of m.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
      // A file that failed with no failing test of its own (an import error, a failed hook) is a failure too.
      const failedTests = [...m.children.allTests()].filter((t) => t.result().state === 'failed').length;
      if (m.state() === 'failed' && failedTests === 0) counts.failed++;
    }
    const timed = modules.map((m) => ({ file: m.relativeModuleId, ...m.diagnostic() }));
    const total = timed.reduce((sum, m) => sum + m.duration, 0);
    const slowest = [...timed].sort((a, b) => b.duration - a.duration).slice(0, SLOWEST);
    const lines = slowest.map(
      (m) => `  ${seconds(m.duration).padStart(7)}  ${m.file}  (import ${seconds(m.collectDuration)})`,
    );
    process.stdout.write(
      `\nslowest ${slowest.length} test files (tests and hooks; all ${modules.length} files: ${seconds(total)}):\n${lines.join('\n')}\n`,
    );
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}
