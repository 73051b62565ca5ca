// argosctl worker: prunes every 10 minutes on the boundaries, and every few seconds marks due
// time-based expiries and delivers the webhook outbox; safe with several replicas.
import { watchStopSignals } from '../stop-signals.js';
import { Command, InvalidArgumentError, Option } from 'commander';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { refuseWrongConfiguredKey } from '../../keys/master-key-check.js';
import { resolveMasterKey } from '../../keys/master-key.js';
import { escapeTerminal as t } from '../../render/escape-terminal.js';
import { DEFAULT_SESSION_RETENTION_MS } from '../../tokens/retention.js';
import { scaledClock } from '../../tokens/scaled-clock.js';
import { DEFAULT_TRAFFIC_RETENTION_MS } from '../../tokens/traffic-retention.js';
import { DEFAULT_EVENT_RETENTION_MS } from '../../webhooks/event-retention.js';
import { workerName, type TickOutcome } from '../../tokens/worker.js';
import { workerLoop, type WorkerLoop, type WorkerLoopOptions } from '../../tokens/worker-loop.js';
import type { Database } from '../../db/connection.js';
import { DEFAULT_RETRY } from '../../webhooks/backoff.js';
import { DEFAULT_TIMEOUT_MS, type DeliveryOutcome, type PassResult } from '../../webhooks/delivery-pass.js';
import { DEFAULT_DELIVERY_INTERVAL_MS } from '../../webhooks/delivery-loop.js';
import type { CliContext } from '../context.js';
import { databaseOption, parseDurationMs } from '../options.js';

export function describeTick(o: TickOutcome): string {
  const when = o.tick.toISOString();
  if (o.status === 'taken') return `${when}: claimed by another worker\n`;
  if (o.status === 'skipped') return `${when}: skipped, the previous pass is still running\n`;
  const deleted = o.results.reduce((n, r) => n + r.expiredDeleted + r.volumeDeleted, 0);
  const { sessionsDeleted, tokenUsesDeleted } = o.retention;
  const traffic = o.retention.trafficRowsDeleted ?? 0;
  const events = o.retention.eventsDeleted ?? 0;
  const old =
    (sessionsDeleted || tokenUsesDeleted
      ? `; ${sessionsDeleted} session(s) and ${tokenUsesDeleted} token use(s) past retention removed`
      : '') +
    (traffic ? `; ${traffic} hourly traffic row(s) past retention removed` : '') +
    (events ? `; ${events} delivered or dead webhook event(s) past retention removed` : '') +
    (o.parking.parked ? `; ${o.parking.parked} webhook event(s) of projects without a webhook parked` : '') +
    (o.parking.unparked ? `; ${o.parking.unparked} parked webhook event(s) of projects with one unparked` : '');
  return `${when}: pass ${o.status} over ${o.results.length} project(s), ${deleted} token(s) deleted${old}\n`;
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

function retention(value: string): number {
  const ms = parseDurationMs(value);
  if (ms < 60 * 60 * 1000) throw new InvalidArgumentError('expected a duration of at least 1h, such as 30d');
  return ms;
}

/** The worker's flags, shared by `argosctl worker` and `serve --worker`. */
export const workerOptions = () => [
  new Option('--delivery-interval <duration>', 'how often to mark due time expiries and deliver webhooks')
    .argParser(atLeastASecond)
    .default(DEFAULT_DELIVERY_INTERVAL_MS, '5s'),
  new Option('--webhook-attempts <n>', 'attempts before an event is dead (then `webhooks redrive`)')
    .argParser(positive)
    .default(DEFAULT_RETRY.maxAttempts),
  new Option('--webhook-timeout <duration>', 'how long to wait for a receiver')
    .argParser(atLeastASecond)
    .default(DEFAULT_TIMEOUT_MS, '10s'),
  new Option(
    '--session-retention <duration>',
    'Liveform sessions and token uses older than this are removed at the 10-minute tick (at least 1h)',
  )
    .argParser(retention)
    .default(DEFAULT_SESSION_RETENTION_MS, '30d'),
  new Option(
    '--traffic-retention <duration>',
    'hourly traffic facts (what serve answered, read by plan) older than this are removed at the 10-minute tick (at least 1h)',
  )
    .argParser(retention)
    .default(DEFAULT_TRAFFIC_RETENTION_MS, '30d'),
  new Option(
    '--event-retention <duration>',
    'webhook events delivered or dead longer ago than this are removed at the 10-minute tick (at least 1h); open ones are kept',
  )
    .argParser(retention)
    .default(DEFAULT_EVENT_RETENTION_MS, '30d'),
];

function clockSpeed(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('expected a whole number from 1 to 99999');
  return Number(value);
}

function clockOrigin(value: string): Date {
  const at = new Date(value);
  if (!/^\d{4}-\d\d-\d\dT/.test(value) || Number.isNaN(at.getTime()))
    throw new InvalidArgumentError('expected an ISO time such as 2026-01-01T00:00:00Z');
  return at;
}

export interface WorkerFlags {
  deliveryInterval: number;
  webhookAttempts: number;
  webhookTimeout: number;
  sessionRetention: number;
  trafficRetention: number;
  eventRetention: number;
}

/**
 * The one worker both commands run: the same loop object with the same settings from the same
 * flags; `hooks` only decide where its reports go.
 */
export function startWorker(
  ctx: CliContext,
  database: Database,
  url: string,
  flags: WorkerFlags & { once?: boolean },
  hooks: Pick<WorkerLoopOptions, 'onTick' | 'onTickError' | 'onPass' | 'onPassError' | 'onDelivery'>,
  signal?: AbortSignal,
): WorkerLoop {
  return workerLoop(
    database.db,
    {
      me: workerName(),
      clock: ctx.clock,
      once: flags.once,
      masterKey: () => resolveMasterKey(url, ctx.env),
      deliveryIntervalMs: flags.deliveryInterval,
      timeoutMs: flags.webhookTimeout,
      retry: { ...DEFAULT_RETRY, maxAttempts: flags.webhookAttempts },
      sessionRetentionMs: flags.sessionRetention,
      trafficRetentionMs: flags.trafficRetention,
      eventRetentionMs: flags.eventRetention,
      ...hooks,
    },
    signal,
  );
}

export const WORKER_SUMMARY =
  'long-running: one pruning pass per 10-minute tick (fixed cycle), claimed in the database;' +
  ' webhook delivery every few seconds';

export function workerCommand(ctx: CliContext): Command {
  const command = new Command('worker')
    .description(WORKER_SUMMARY)
    .option('--once', 'run the current tick (if no one else has) and one delivery pass, then exit')
    // Benches and tests only (docs/operations.md): several prune ticks without waiting 10 minutes each.
    .addOption(
      new Option('--clock-speed <n>', "the worker's clock runs N times as fast as the wall clock")
        .argParser(clockSpeed)
        .hideHelp(),
    )
    .addOption(
      new Option('--clock-origin <time>', 'with --clock-speed: the moment both clocks agree')
        .argParser(clockOrigin)
        .hideHelp(),
    );
  for (const option of workerOptions()) command.addOption(option);
  return command
    .addOption(databaseOption())
    .action(
      async (opts: { once?: boolean; databaseUrl?: string; clockSpeed?: number; clockOrigin?: Date } & WorkerFlags) => {
        const clock = opts.clockSpeed ? scaledClock(opts.clockOrigin ?? new Date(), opts.clockSpeed) : ctx.clock;
        const stop = new AbortController();
        const onStop = () => stop.abort();
        ctx.stop?.addEventListener('abort', onStop, { once: true });
        const onSignal = () => {
          ctx.err('stopping: finishing the current batch…\n');
          stop.abort();
        };
        const unwatch = watchStopSignals(onSignal);
        const me = workerName();
        const url = resolveDatabaseUrl(opts.databaseUrl);
        const every = `${opts.deliveryInterval / 1000}s`;
        ctx.err(
          opts.once
            ? `argosctl worker ${me}: the current tick (if no other worker has run it) and one delivery pass, then exit\n`
            : `argosctl worker ${me}: pruning every 10 minutes on the boundaries; webhooks every ${every}\n`,
        );
        try {
          await withDatabase(
            url,
            async (database) => {
              await refuseWrongConfiguredKey(database.db, url, ctx.env, ctx.err);
              return startWorker(
                { ...ctx, clock },
                database,
                url,
                opts,
                {
                  onTick: (o) => ctx.err(describeTick(o)),
                  onTickError: (tick, error) =>
                    ctx.err(
                      `${tick.toISOString()}: pass failed: ${t((error as Error).message)}; trying again at the next tick\n`,
                    ),
                  onPass: (r) => ctx.err(describePass(r)),
                  onPassError: (error) =>
                    ctx.err(`webhooks: pass failed: ${t((error as Error).message)}; trying again in ${every}\n`),
                  onDelivery: (d) => ctx.err(describeDelivery(d)),
                },
                stop.signal,
              ).done;
            },
            { open: { longRunning: true } },
          );
        } finally {
          ctx.stop?.removeEventListener('abort', onStop);
          unwatch();
        }
      },
    );
}
