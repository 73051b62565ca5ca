// Runs the real, built CLI as a child process, the way users and CI run it.
import { spawn } from 'node:child_process';
import { mkdtempSync, cpSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** validate's cache (src/manifest/read/validate-cache.ts) for commands the tests run: never the user's own. */
export const TEST_CACHE_HOME = path.join(tmpdir(), `argosctl-test-cache-${process.pid}`);
export const BIN = path.join(ROOT, 'bin/argosctl.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `timeoutMs`: a safety net that kills a hung child (code is then null), so a hang fails the test instead of outliving it. */
export function runCli(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      // The test file's master key (test/helpers/setup.ts), as a deployment would have one; a test that
      // wants none passes ARGOS_MASTER_KEY: ''.
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        XDG_CACHE_HOME: TEST_CACHE_HOME,
        NO_COLOR: '1',
        ARGOS_MASTER_KEY: process.env.ARGOS_MASTER_KEY,
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

const created: string[] = [];

/** Called after each test file (test/helpers/setup.ts): its temp folders and validate's cache. */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
  rmSync(TEST_CACHE_HOME, { recursive: true, force: true });
}

/** A temp folder, removed after the test file, optionally seeded with a copy of a folder from the repository. */
export function tempDir(copyFrom?: string, as = 'projects'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'argosctl-test-'));
  created.push(dir);
  if (copyFrom) cpSync(path.join(ROOT, copyFrom), path.join(dir, as), { recursive: true });
  return dir;
}
