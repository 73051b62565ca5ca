// Most CLI tests call the entry point in process (test/helpers/cli-in-process.ts); that is only
// worth it if it answers exactly as the real binary does, and leaves the test process as it was.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';

describe('the in-process CLI runner', () => {
  it('gives the same code, stdout and stderr as the real binary', async () => {
    const cwd = tempDir('examples/startup');
    writeFileSync(
      path.join(cwd, 'bad.yaml'),
      'apiVersion: argosctl/v1\nkind: Project\nmetadata: { id: Bad_Id, name: x }\nspec:\n  status: LIVE\n',
    );
    const cases = [
      ['validate'],
      ['validate', '--dir', '.', '--format', 'json'],
      ['validate', '--dir', '.', '--format', 'github'],
      ['plan', '--frobnicate'],
      ['plan', '--database-url', 'mysql://x'],
      ['apply', 'missing-plan.json', '--format', 'json'],
      ['--version'],
    ];
    for (const args of cases) {
      const real = await runCli(args, { cwd });
      expect(await runCliInProcess(args, { cwd }), args.join(' ')).toEqual(real);
    }
  });

  it("runs with the given environment and folder, and restores the test process's", async () => {
    const cwd = tempDir('examples/startup');
    const before = { cwd: process.cwd(), env: { ...process.env } };
    // Only the given environment counts, as for a child: the database URL comes from it.
    const r = await runCliInProcess(['plan', '--detailed-exitcode'], {
      cwd,
      env: { ARGOS_DATABASE_URL: 'mysql://from-env' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the database URL from ARGOS_DATABASE_URL is refused/);
    expect(process.cwd()).toBe(before.cwd);
    expect(process.env).toEqual(before.env);
  });
});
