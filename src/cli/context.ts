// What every command gets: where to write, whether to colour, the environment. Commands write
// human output to stdout and diagnostics and progress to stderr.
import { makeStyle, shouldColor, type Style } from '../render/style.js';
import type { Clock } from '../tokens/worker.js';

export interface CliContext {
  out(text: string): void;
  err(text: string): void;
  /** Style for stdout and stderr respectively. */
  style: Style;
  errStyle: Style;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdinIsTTY: boolean;
  /** Secrets are printed only to a terminal unless asked otherwise (absent: not a terminal). */
  stdoutIsTTY?: boolean;
  /** The clock of long-running commands (`worker`, `serve`); tests inject one. Default: the system's. */
  clock?: Clock;
  /** Stops long-running commands like SIGTERM does (tests running them in process). */
  stop?: AbortSignal;
}

export function processContext(): CliContext {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    style: makeStyle(shouldColor(process.stdout)),
    errStyle: makeStyle(shouldColor(process.stderr)),
    env: process.env,
    cwd: process.cwd(),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
  };
}
