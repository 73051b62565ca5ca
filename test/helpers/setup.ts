// Runs in every test file: temp folders made by tempDir() are removed when the file is done.
import { afterAll } from 'vitest';
import { removeTempDirs } from './cli.js';

afterAll(removeTempDirs);
