// Runs in every test file: temp folders made by tempDir() are removed when the file is done.
import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { removeTempDirs } from './cli.js';

// Applies called in process (core functions, not the CLI) seal new API keys with the master key
// from the environment, as a deployment would; give each test file one. CLI runs get their own env.
process.env.ARGOS_MASTER_KEY ??= randomBytes(32).toString('base64');

afterAll(removeTempDirs);
