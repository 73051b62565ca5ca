// When a long-running command (serve, worker, dashboard) should stop: SIGTERM, SIGINT or SIGHUP,
// or its parent going away. The last one matters for `npx argosctl serve` and `npm exec`: npm
// exits on SIGTERM without passing it on, and the server, left running under init, would hold its
// port forever. A parent that is gone shows as a changed parent pid.

const ORPHAN_CHECK_MS = 500;
const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** Calls `onStop` once, with what happened; the returned function stops watching. */
export function watchStopSignals(onStop: (reason: string) => void): () => void {
  let done = false;
  const stop = (reason: string) => {
    if (done) return;
    done = true;
    onStop(reason);
  };
  const handlers = SIGNALS.map((signal) => [signal, () => stop(signal)] as const);
  for (const [signal, handler] of handlers) process.once(signal, handler);
  const parent = process.ppid;
  const orphanCheck = setInterval(() => {
    if (process.ppid !== parent) stop('the parent process ended');
  }, ORPHAN_CHECK_MS);
  orphanCheck.unref();
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    clearInterval(orphanCheck);
  };
}
