// Hostile values through the real CLI: a commit recorded as `--output=FILE` never becomes an option
// to git, and actors, reasons and commits from the environment come out of history and blame inert.
// In process, on PostgreSQL from the template (the values, not the dialect, are the point).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { useCliDatabase } from '../helpers/databases.js';

const HOSTILE = '<img src=x onerror=alert(1)> @org/team #1 `x`\n::add-mask::x\n::error::x \u001b[31mred \u202eevil';

describe('hostile values through the CLI', () => {
  const database = useCliDatabase();
  const runCli = (args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) =>
    runCliInProcess(args, { ...options, env: { ...database.env, ...options.env } });

  it('a commit value like --output=FILE is a revision to git, never an option; history and blame stay inert', async () => {
    const cwd = tempDir('examples/startup');
    const git = (...args: string[]) => execFileSync('git', args, { cwd, stdio: 'ignore' });
    git('init', '-q');
    git('add', '-A');
    git('-c', 'user.email=dev@acme.example', '-c', 'user.name=Dev', 'commit', '-qm', 'first');
    const pwned = path.join(cwd, 'pwned');
    const env = { GITHUB_SHA: `--output=${pwned}`, ARGOSCTL_ACTOR: `=HYPERLINK("http://x") ${HOSTILE}` };

    const apply = await runCli(['apply', '--auto-approve'], { cwd, env });
    expect(apply.code, apply.stderr).toBe(0);
    expect(existsSync(pwned)).toBe(false); // git log … GITHUB_SHA, while reading the commit's author

    const stop = await runCli(['emergency-stop', 'acme-beta', '--reason', `-1+1 ${HOSTILE}`], { cwd, env });
    expect(stop.code, stop.stderr).toBe(0);

    const blame = await runCli(['blame', 'acme-beta'], { cwd });
    expect(blame.code, blame.stderr).toBe(0);
    expect(existsSync(pwned)).toBe(false); // git log … for the commit subject
    expect(blame.stdout).toMatch(/^--outpu /m); // the recorded commit, shown as data
    const text = await runCli(['history'], { cwd });
    expect(text.code, text.stderr).toBe(0);
    for (const out of [blame.stdout, text.stdout]) {
      expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
      for (const line of out.split('\n')) expect(line).not.toMatch(/^\s*(::|##\[)/);
    }
    expect(text.stdout).toContain('\\x1b[31mred');

    const csv = await runCli(['history', '--format', 'csv'], { cwd });
    expect(csv.code, csv.stderr).toBe(0);
    const rows = csv.stdout.trimEnd().split('\n');
    expect(rows.length).toBeGreaterThan(2);
    for (const row of rows.slice(1)) expect(row).toMatch(/^[^,]+,[a-z-]+,"'=HYPERLINK\(""http:\/\/x""\) /);
    expect(rows.at(-1)).toMatch(/,'-1\+1 /); // the emergency-stop reason
    for (const line of rows) expect(line).not.toMatch(/^\s*(::|##\[)/);
  });
});
