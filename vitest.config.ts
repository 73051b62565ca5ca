import { defineConfig } from 'vitest/config';
import SlowestFirstSequencer from './test/helpers/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['./test/helpers/setup.ts'],
    globalSetup: ['./test/helpers/global-setup.ts'],
    // Safety nets against a hang, not speed limits: no test's pass depends on how loaded the machine is.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Files share a worker process: modules (PGlite's, Fastify's, the CLI's) load once per worker, not
    // once per file (suite 424 s → 316 s wall, 11.9 → 8.3 min CPU here). Tests keep no state between
    // files: each makes its own temp folders and databases.
    isolate: false,
    // More workers than cores: much of a test waits on a database or a child process (3 workers on 2
    // cores: suite 247 s → 203 s wall; 4 workers, with the slowest files first: 255 s → 238 s, all of
    // one core's time used).
    maxWorkers: 4,
    // Longest files first (test/helpers/sequencer.ts): without it a clean run starts the largest files by bytes.
    sequence: { sequencer: SlowestFirstSequencer },
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
