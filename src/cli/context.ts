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

/**
 * A writer for one of the process's streams. When its reader goes away (`argosctl --help | head -1`)
 * the write fails with EPIPE: the rest of the output is dropped and the command runs to its end
 * (an apply is not cut short by a closed pipe), instead of dying on an unhandled 'error' event.
 */
const closedStreams = new WeakSet<NodeJS.WriteStream>();
const watchedStreams = new WeakSet<NodeJS.WriteStream>();

function streamWriter(stream: NodeJS.WriteStream): (text: string) => void {
  if (!watchedStreams.has(stream)) {
    // once per stream, however many contexts are made (tests make one per command)
    watchedStreams.add(stream);
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      closedStreams.add(stream);
    });
  }
  return (text) => {
    if (!closedStreams.has(stream)) stream.write(text);
  };
}

export function processContext(): CliContext {
  return {
    out: streamWriter(process.stdout),
    err: streamWriter(process.stderr),
    style: makeStyle(shouldColor(process.stdout)),
    errStyle: makeStyle(shouldColor(process.stderr)),
    env: process.env,
    cwd: process.cwd(),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
  };
}
