// All or nothing on the embedded database: an apply SIGKILLed at a random moment leaves the
// PGlite folder as before or as planned, and the next command takes over the dead process's lock.
import { cpSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateProjects } from '../../src/bench/generate.js';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { killApplyAtRandom } from '../helpers/kill-apply.js';
import { depth } from '../helpers/deep.js';

/** The pid in the embedded folder's lock file, if one is there. */
function lockHolder(cwd: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(cwd, '.argos/db/.argosctl.lock'), 'utf8')) as { pid?: number }).pid;
  } catch {
    return undefined;
  }
}

// ARGOS_DEEP=1: 4 kills (test/helpers/deep.ts); by default 2, one in each phase of kill-apply.ts.
const KILLS = depth(4, 2);

describe('killed applies on the embedded database', () => {
  it(`SIGKILL at random moments leaves the PGlite folder before or planned, and the stale lock is taken over (bounded: ${KILLS} runs)`, async () => {
    const cwd = tempDir();
    generateProjects(path.join(cwd, 'projects'), 300);
    const outcomes: string[] = [];
    const pristine = tempDir();
    expect((await runCliInProcess(['db', 'migrate', '--database-url', `pglite:${pristine}/db`], { cwd })).code).toBe(0);
    for (let run = 0; run < KILLS; run++) {
      rmSync(path.join(cwd, '.argos'), { recursive: true, force: true });
      cpSync(path.join(pristine, 'db'), path.join(cwd, '.argos/db'), { recursive: true }); // the folder exists before the race
      await killApplyAtRandom(run, [], { cwd, started: (child) => lockHolder(cwd) === child.pid });
      const after = await runCliInProcess(['plan', '--format', 'json'], { cwd });
      expect(after.code, after.stderr).toBe(0);
      const { summary } = JSON.parse(after.stdout);
      expect(summary.update + summary.add + summary.remove).toBe(0);
      expect([0, 300]).toContain(summary.create);
      outcomes.push(summary.create === 0 ? 'planned' : 'before');
    }
    console.info(`PGlite SIGKILL outcomes: ${outcomes.join(', ')}`);
  });
});
