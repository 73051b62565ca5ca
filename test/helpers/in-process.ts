// Runs a command inside the test process with an injected environment and working folder, and
// collects everything a user could see: stdout, stderr, and the message and hint that main.ts
// would print for an expected failure.
import { CommanderError } from 'commander';
import type { CliContext } from '../../src/cli/context.js';
import { ExitCode, UserError } from '../../src/cli/errors.js';
import { buildProgram } from '../../src/cli/program.js';
import { makeStyle } from '../../src/render/style.js';

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runInProcess(argv: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<InProcessResult> {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    out: (t) => { stdout += t; }, err: (t) => { stderr += t; }, style: makeStyle(false), errStyle: makeStyle(false),
    env: options.env ?? {}, cwd: options.cwd, stdinIsTTY: false,
  };
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
    return { code: 0, stdout, stderr };
  } catch (err) {
    if (err instanceof ExitCode) return { code: err.code, stdout, stderr };
    if (err instanceof CommanderError) return { code: err.exitCode === 0 ? 0 : 1, stdout, stderr };
    if (err instanceof UserError) return { code: err.exitCode, stdout, stderr: `${stderr}error: ${err.message}\n${err.hint ? `  hint: ${err.hint}\n` : ''}` };
    // main.ts would print these too (database errors by message, bugs with their stack): keep them visible
    return { code: 99, stdout, stderr: `${stderr}unexpected: ${(err as Error)?.stack ?? String(err)}\n` };
  }
}
