// The suite's closing line ("N passed, N failed, N skipped", read by CI): a file that failed without
// a failing test of its own (an afterAll hook that threw, an import error) counts as a failure.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestModule } from 'vitest/node';
import SummaryReporter from '../helpers/summary-reporter.js';

const file = (state: 'passed' | 'failed', tests: ('passed' | 'failed' | 'skipped')[]) =>
  ({
    relativeModuleId: `test/x-${state}.test.ts`,
    state: () => state,
    diagnostic: () => ({ duration: 10, collectDuration: 1 }),
    children: { allTests: () => tests.map((t) => ({ result: () => ({ state: t }) }))[Symbol.iterator]() },
  }) as unknown as TestModule;

describe('SummaryReporter', () => {
  afterEach(() => vi.restoreAllMocks());
  const closingLine = (modules: TestModule[]) => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    new SummaryReporter().onTestRunEnd(modules);
    return written.join('').trim().split('\n').at(-1);
  };

  it('counts tests, and a failed file whose tests all passed (a hook failed) as one failure', () => {
    expect(closingLine([file('passed', ['passed', 'skipped'])])).toBe('1 passed, 0 failed, 1 skipped');
    expect(closingLine([file('failed', ['passed', 'passed'])])).toBe('2 passed, 1 failed, 0 skipped');
    expect(closingLine([file('failed', [])])).toBe('0 passed, 1 failed, 0 skipped');
    expect(closingLine([file('failed', ['failed', 'passed'])])).toBe('1 passed, 1 failed, 0 skipped');
  });
});
