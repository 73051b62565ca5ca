// Runs the CLI's entry point inside the test process: the same argv, environment, folder and
// result as runCli, without starting Node, loading the modules and compiling the schema again for
// every command. stdout and stderr are captured through the CliContext, and so is any stray write
// to process.stdout or process.stderr while the command runs, as a real process would show it.
// process.env and process.cwd() are set to the test's for the command's duration (core code reads
// them in places), so in-process runs are serialised. Tests that need a real process (signals,
// several processes, the folder lock's pid, every byte a process emits) keep using runCli.
import { Readable } from 'node:stream';
import { processContext, type CliContext } from '../../src/cli/context.js';
import { run } from '../../src/cli/run.js';
import { makeStyle } from '../../src/render/style.js';
import { TEST_CACHE_HOME, type CliResult } from './cli.js';

let queue: Promise<unknown> = Promise.resolve();

export function runCliInProcess(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string },
): Promise<CliResult> {
  const result = queue.then(() => runNow(args, options));
  queue = result.catch(() => {});
  return result;
}

/** Replaces the contents of process.env in place (it stays Node's special string-only object). */
function setProcessEnv(env: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) delete process.env[key];
  for (const [key, value] of Object.entries(env)) if (value !== undefined) process.env[key] = value;
}

async function runNow(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string },
): Promise<CliResult> {
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  const savedStdin = Object.getOwnPropertyDescriptor(process, 'stdin')!;
  // What runCli gives the child, plus vitest's own variables, which its worker reads meanwhile.
  const vitest = Object.fromEntries(Object.entries(savedEnv).filter(([key]) => key.startsWith('VITEST')));
  setProcessEnv({
    ...vitest,
    PATH: savedEnv.PATH,
    HOME: savedEnv.HOME,
    XDG_CACHE_HOME: TEST_CACHE_HOME,
    NO_COLOR: '1',
    ARGOS_MASTER_KEY: savedEnv.ARGOS_MASTER_KEY,
    ...options.env,
  });
  process.chdir(options.cwd);
  // The CLI reads stdin only to ask for confirmation; like runCli's pipe, it is not a terminal.
  if (options.input !== undefined)
    Object.defineProperty(process, 'stdin', { value: Readable.from([options.input]), configurable: true });
  let stdout = '';
  let stderr = '';
  const writes = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  const plain = makeStyle(false); // runCli's stdout and stderr are pipes: no colour
  try {
    const code = await run(args, {
      ...processContext(),
      out: (t) => {
        stdout += t;
      },
      err: (t) => {
        stderr += t;
      },
      style: plain,
      errStyle: plain,
      env: process.env,
      cwd: options.cwd,
      stdinIsTTY: false,
      stdoutIsTTY: false,
    });
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    Object.defineProperty(process, 'stdin', savedStdin);
    process.chdir(savedCwd);
    setProcessEnv(savedEnv);
  }
}

/** A context that prints nothing and reads no environment: for building the command tree to inspect it. */
export const SILENT_CONTEXT: CliContext = {
  out: () => {},
  err: () => {},
  style: makeStyle(false),
  errStyle: makeStyle(false),
  env: {},
  cwd: '.',
  stdinIsTTY: false,
};
