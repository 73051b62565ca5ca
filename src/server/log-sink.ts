// Request log lines, written in batches: one write per turn of the event loop instead of one
// per request (a write to stderr is a system call; under load they cost more than the logging).
// Lines keep their order; `flush` writes what is pending (serve calls it before it prints
// anything else and when it stops).
import { writeSync } from 'node:fs';

export interface LineSink {
  write(line: string): void;
  flush(): void;
}

const MAX_PENDING = 256 * 1024;

/** `out` receives whole lines, newline-terminated; a number is a file descriptor written synchronously. */
export function lineSink(out: number | ((text: string) => void)): LineSink {
  const emit =
    typeof out === 'number'
      ? (text: string) => {
          writeSync(out, text);
        }
      : out;
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (!pending) return;
    const text = pending;
    pending = '';
    emit(text);
  };
  return {
    write: (line) => {
      pending += line + '\n';
      if (pending.length >= MAX_PENDING) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
