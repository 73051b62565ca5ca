// Ctrl-C (SIGINT) or SIGTERM during a command that writes: say what was and was not written before
// exiting. Exiting drops the database connection, so an open transaction is rolled back by the
// server (PostgreSQL) or on the next open (PGlite); only a commit already sent may have landed.
import type { CliContext } from './context.js';

export type WritePhase = 'reading' | 'writing' | 'committing';

const SAYS: Record<WritePhase, string> = {
  reading: 'interrupted before writing: nothing was written',
  writing: 'interrupted: the transaction is rolled back, nothing was written',
  committing: 'interrupted while committing: the changes may or may not have landed; run argosctl plan to see',
};

/** Watches for SIGINT/SIGTERM until the returned function is called; `phase()` says where the work is. */
export function sayOnInterrupt(ctx: CliContext, what: string, phase: () => WritePhase): () => void {
  const handler = (signal: NodeJS.Signals) => {
    ctx.err(`\n${what}: ${SAYS[phase()]}\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
