// Ctrl-C in the middle of an apply: argosctl says that nothing was written, exits 130, and the
// database indeed holds nothing of it. The interrupted apply is a real process (the signal is the
// point); the plan and history that look at its database afterwards run in process.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';

describe('SIGINT mid-apply', () => {
  it('says the transaction is rolled back and nothing was written; a plan afterwards still shows every change', async () => {
    const cwd = tempDir('examples/bank');
    // PAUSE: the apply sleeps 5 s after its first statement, inside the transaction (tests only)
    const child = spawn(process.execPath, [BIN, 'apply', '--auto-approve'], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CI: '', NO_COLOR: '1', ARGOSCTL_PAUSE_AFTER_STATEMENTS: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
      if (/apply: writing/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/apply: interrupted: the transaction is rolled back, nothing was written/);
    expect(stderr).not.toMatch(/committing/);
    const plan = await runCliInProcess(['plan', '--detailed-exitcode'], { cwd });
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout).toMatch(/Plan: 2 to create/);
    expect((await runCliInProcess(['history'], { cwd })).stdout).toMatch(/No recorded events/);
  });
});
