// argosctl worker: prunes every 10 minutes on the boundaries; safe with several replicas.
import { Command } from 'commander';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { runWorker, workerName, type TickOutcome } from '../../tokens/worker.js';
import type { CliContext } from '../context.js';
import { databaseOption } from '../options.js';

function describeTick(o: TickOutcome): string {
  const when = o.tick.toISOString();
  if (o.status === 'taken') return `${when}: claimed by another worker\n`;
  if (o.status === 'skipped') return `${when}: skipped, the previous pass is still running\n`;
  const deleted = o.results.reduce((n, r) => n + r.expiredDeleted + r.volumeDeleted, 0);
  return `${when}: pass ${o.status} over ${o.results.length} project(s), ${deleted} token(s) deleted\n`;
}

export function workerCommand(ctx: CliContext): Command {
  return new Command('worker')
    .description('long-running: one pruning pass per 10-minute tick (fixed cycle), claimed in the database')
    .option('--once', 'run the current tick (if no one else has) and exit')
    .addOption(databaseOption())
    .action(async (opts: { once?: boolean; databaseUrl?: string }) => {
      const stop = new AbortController();
      const onSignal = () => { ctx.err('stopping: finishing the current batch…\n'); stop.abort(); };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      const me = workerName();
      ctx.err(`argosctl worker ${me}: pruning every 10 minutes on the boundaries\n`);
      try {
        await withDatabase(resolveDatabaseUrl(opts.databaseUrl), ({ db }) => runWorker(db, {
          me, signal: stop.signal, maxTicks: opts.once ? 1 : undefined, onTick: (o) => ctx.err(describeTick(o)),
          onError: (tick, error) => ctx.err(`${tick.toISOString()}: pass failed: ${(error as Error).message}; trying again at the next tick\n`),
        }));
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });
}
