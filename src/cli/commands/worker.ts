// argosctl worker: prunes every 10 minutes on the boundaries, and every few seconds marks due
// time-based expiries and delivers the webhook outbox; safe with several replicas.
import { watchStopSignals } from '../stop-signals.js';
import { Command, InvalidArgumentError, Option } from 'commander';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { resolveMasterKey } from '../../keys/master-key.js';
import { escapeTerminal as t } from '../../render/escape-terminal.js';
import { workerName, type TickOutcome } from '../../tokens/worker.js';
import { DEFAULT_RETRY } from '../../webhooks/backoff.js';
import { DEFAULT_TIMEOUT_MS, type DeliveryOutcome, type PassResult } from '../../webhooks/delivery-pass.js';
import { DEFAULT_DELIVERY_INTERVAL_MS } from '../../webhooks/delivery-loop.js';
import { runBackground } from '../../webhooks/run-background.js';
import type { CliContext } from '../context.js';
import { databaseOption, parseDurationMs } from '../options.js';

function describeTick(o: TickOutcome): string {
  const when = o.tick.toISOString();
  if (o.status === 'taken') return `${when}: claimed by another worker\n`;
  if (o.status === 'skipped') return `${when}: skipped, the previous pass is still running\n`;
  const deleted = o.results.reduce((n, r) => n + r.expiredDeleted + r.volumeDeleted, 0);
  return `${when}: pass ${o.status} over ${o.results.length} project(s), ${deleted} token(s) deleted\n`;
}

/** A pass is worth a line only when it did something. */
export function describePass(r: PassResult): string {
  if (!r.expired && !r.delivered && !r.retried && !r.dead) return '';
  const expired = `${r.expired} token(s) expired on time`;
  return `webhooks: ${r.delivered} delivered, ${r.retried} to retry, ${r.dead} dead; ${expired}\n`;
}

/** Failures only (no URL, no body, no secret): the event, its attempt and our own short reason. */
export function describeDelivery(d: DeliveryOutcome): string {
  if (d.outcome === 'delivered') return '';
  const what = d.outcome === 'dead' ? 'dead; `argosctl webhooks redrive` sends it again' : 'will retry';
  return `webhook event ${d.eventId} of ${t(d.projectId)}, attempt ${d.attempt}: ${t(d.error ?? '')}; ${what}\n`;
}

function atLeastASecond(value: string): number {
  const ms = parseDurationMs(value);
  if (ms < 1000) throw new InvalidArgumentError('expected a duration of at least 1s, such as 5s or 1m');
  return ms;
}

function positive(value: string): number {
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('expected a whole number from 1 to 9999');
  return Number(value);
}

export const deliveryOptions = () => [
  new Option('--delivery-interval <duration>', 'how often to mark due time expiries and deliver webhooks')
    .argParser(atLeastASecond)
    .default(DEFAULT_DELIVERY_INTERVAL_MS, '5s'),
  new Option('--webhook-attempts <n>', 'attempts before an event is dead (then `webhooks redrive`)')
    .argParser(positive)
    .default(DEFAULT_RETRY.maxAttempts),
  new Option('--webhook-timeout <duration>', 'how long to wait for a receiver')
    .argParser(atLeastASecond)
    .default(DEFAULT_TIMEOUT_MS, '10s'),
];

export interface DeliveryFlags {
  deliveryInterval: number;
  webhookAttempts: number;
  webhookTimeout: number;
}

export const WORKER_SUMMARY =
  'long-running: one pruning pass per 10-minute tick (fixed cycle), claimed in the database;' +
  ' webhook delivery every few seconds';

export function workerCommand(ctx: CliContext): Command {
  const command = new Command('worker')
    .description(WORKER_SUMMARY)
    .option('--once', 'run the current tick (if no one else has) and one delivery pass, then exit');
  for (const option of deliveryOptions()) command.addOption(option);
  return command
    .addOption(databaseOption())
    .action(async (opts: { once?: boolean; databaseUrl?: string } & DeliveryFlags) => {
      const stop = new AbortController();
      const onSignal = () => {
        ctx.err('stopping: finishing the current batch…\n');
        stop.abort();
      };
      const unwatch = watchStopSignals(onSignal);
      const me = workerName();
      const url = resolveDatabaseUrl(opts.databaseUrl);
      const every = `${opts.deliveryInterval / 1000}s`;
      ctx.err(`argosctl worker ${me}: pruning every 10 minutes on the boundaries; webhooks every ${every}\n`);
      try {
        await withDatabase(url, ({ db }) =>
          runBackground(db, {
            me,
            signal: stop.signal,
            once: opts.once,
            masterKey: () => resolveMasterKey(url, ctx.env),
            deliveryIntervalMs: opts.deliveryInterval,
            timeoutMs: opts.webhookTimeout,
            retry: { ...DEFAULT_RETRY, maxAttempts: opts.webhookAttempts },
            onTick: (o) => ctx.err(describeTick(o)),
            onTickError: (tick, error) =>
              ctx.err(
                `${tick.toISOString()}: pass failed: ${t((error as Error).message)}; trying again at the next tick\n`,
              ),
            onPass: (r) => ctx.err(describePass(r)),
            onPassError: (error) =>
              ctx.err(`webhooks: pass failed: ${t((error as Error).message)}; trying again in ${every}\n`),
            onDelivery: (d) => ctx.err(describeDelivery(d)),
          }),
        );
      } finally {
        unwatch();
      }
    });
}
